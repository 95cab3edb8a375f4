import {
  builtinMapIds,
  scenarioSchema,
  type FaultSpec,
  type Scenario,
  type ScenarioInput,
} from '~/server/contracts/scenario';
import { child, childrenNamed, parseXml, type XmlElement } from '~/server/xml/parse';
import { mapForTown, normaliseTownName } from '~/server/maps/carla-towns';
import { EXPORT_FORMAT_PARAM, readDriveLabParameters, type DriveLabValues } from './drivelab-parameters';
import { str, type ImportContext } from './import-context';
import { MAX_TRAFFIC, readEntities, type ImportedEntities } from './import-entities';
import {
  initActionsOf,
  readEnvironment,
  readPrivateInits,
  type ImportedEnvironment,
  type MapChoice,
  readEgoStart,
  type EgoStart,
} from './import-init';
import { readDuration, readStories } from './import-storyboard';
import { ImportLedger } from './unsupported-report';

/**
 * Reads an OpenSCENARIO 1.0 file into a DriveLab scenario. DriveLab models a scenario as
 * conditions (map, weather, time, ego, an amount of autonomous traffic, faults), not as a
 * script, so the storyboard's manoeuvres cannot come along: every element that does not map
 * onto the scenario is listed in `unsupported` with its path, and every approximation made
 * (towns, blueprints, defaults) is explained in `notes`.
 */

export interface ImportXoscResult {
  scenario: Scenario;
  /** "path: what it is" for each element DriveLab does not model. */
  unsupported: string[];
  /** Approximations and defaults the import chose. */
  notes: string[];
  /** RoadNetwork/LogicFile filepath as written, for resolving against an organisation's maps. */
  logicFile?: string;
  /** The ego's start as the file gives it, world positions in OpenDRIVE's frame (CARLA's mirrored). */
  egoStart?: EgoStart;
}

export class XoscImportError extends Error {
  override name = 'XoscImportError';
}

export function importXosc(xml: string): ImportXoscResult {
  const root = parseXml(xml);
  if (root.name !== 'OpenSCENARIO')
    throw new XoscImportError(`not an OpenSCENARIO document: the root element is <${root.name}>`);
  if (child(root, 'Catalog')) throw new XoscImportError('this is an OpenSCENARIO catalog, not a scenario');
  const storyboard = child(root, 'Storyboard');
  if (!storyboard) throw new XoscImportError('the document has no Storyboard');

  const ledger = new ImportLedger(root);
  ledger.opened(root, storyboard);
  const ctx = readParameters(root, storyboard, ledger);
  const name = readName(ctx);
  const where = readRoadNetwork(ctx);
  const entities = readEntities(ctx);
  const initActions = initActionsOf(ctx);
  const env = readEnvironment(ctx, initActions);
  const egoSpeed = readPrivateInits(ctx, initActions, entities, where);
  const routeLengthM = readStories(ctx, entities.ego);
  const durationS = readDuration(ctx);

  // The sweep lists whatever no rule took.
  const input = assemble(ctx.dl, { name, map: where.map, entities, env, egoSpeed, routeLengthM, durationS });
  const scenario = parseWithFaults(input, ctx.dl, ledger);
  const egoStart = readEgoStart(ctx, initActions, entities);
  return { scenario, unsupported: ledger.sweep(), notes: ctx.notes, logicFile: where.logicFile, egoStart };
}

/** ParameterDeclarations: values for $references, and DriveLab's own fields. */
function readParameters(root: XmlElement, storyboard: XmlElement, ledger: ImportLedger): ImportContext {
  const notes: string[] = [];
  const params = new Map<string, string>();
  const paramDecls = child(root, 'ParameterDeclarations');
  ledger.handled(paramDecls);
  for (const p of childrenNamed(paramDecls, 'ParameterDeclaration'))
    if (p.attrs.name !== undefined) params.set(p.attrs.name, p.attrs.value ?? '');
  const { values: dl, problems } = readDriveLabParameters(params);
  for (const p of problems)
    ledger.unsupported.push(
      `OpenSCENARIO/ParameterDeclarations/ParameterDeclaration[${p.split(':')[0]}]: ignored, ${p.slice(p.indexOf(':') + 2)}`,
    );
  const fromDriveLab = dl[EXPORT_FORMAT_PARAM] !== undefined;
  if (fromDriveLab)
    notes.push('File written by DriveLab: DriveLab-only fields restored from its DriveLab_* parameters.');
  return { root, storyboard, ledger, notes, params, dl, fromDriveLab };
}

/** FileHeader: the description (without CARLA's prefix) names the scenario. */
function readName(ctx: ImportContext): string {
  const header = child(ctx.root, 'FileHeader');
  ctx.ledger.handled(header);
  // Catalogs are not resolved: any catalog location is reported by the sweep.
  ctx.ledger.opened(child(ctx.root, 'CatalogLocations'));
  return (
    (str(ctx, header, 'description') ?? '')
      .replace(/^CARLA:/, '')
      .trim()
      .slice(0, 200) || 'Imported scenario'
  );
}

/** RoadNetwork: a CARLA town becomes its built-in twin (or the closest one). */
function readRoadNetwork(ctx: ImportContext): MapChoice {
  const { ledger, notes, dl } = ctx;
  const roadNetwork = child(ctx.root, 'RoadNetwork');
  ledger.opened(roadNetwork);
  const logicFile = child(roadNetwork, 'LogicFile');
  ledger.handled(logicFile);
  const townPath = str(ctx, logicFile, 'filepath');
  const town = mapForTown(townPath);
  // A built-in map exported under its own name (with its generated .xodr) is that map.
  const builtin = builtinMapIds.find((m) => townPath !== undefined && normaliseTownName(townPath) === m);
  let map = builtin ?? town.map;
  if (!town.town && !builtin && dl.DriveLab_map) map = dl.DriveLab_map;
  if (builtin) notes.push(`Road network ${builtin} is DriveLab's built-in map of that name.`);
  else if (!town.town)
    notes.push(
      `Road network ${townPath ? `"${townPath}"` : '(none)'} is not a CARLA town DriveLab knows; using built-in map ${map}.`,
    );
  else if (!town.exact)
    notes.push(
      `CARLA ${town.town} has no built-in twin; approximated by built-in map ${map}, the closest in character.`,
    );
  else if (dl.DriveLab_map && dl.DriveLab_map !== map)
    notes.push(`LogicFile ${town.town} wins over DriveLab_map=${dl.DriveLab_map}.`);
  const sceneGraph = child(roadNetwork, 'SceneGraphFile');
  if (sceneGraph && str(ctx, sceneGraph, 'filepath'))
    ledger.report(sceneGraph, 'scene graph (3D model) files are not used; the built-in map has its own geometry');
  else ledger.handled(sceneGraph);
  return { map, town: town.town, ...(townPath !== undefined ? { logicFile: townPath } : {}) };
}

interface Sections {
  name: string;
  map: MapChoice['map'];
  entities: ImportedEntities;
  env: ImportedEnvironment;
  egoSpeed: number | undefined;
  routeLengthM: number | undefined;
  durationS: number | undefined;
}

/** The scenario input: what the file said, with DriveLab's own parameters where it has them. */
function assemble(dl: DriveLabValues, s: Sections): ScenarioInput {
  const { weather, timeOfDay } = s.env;
  return {
    name: s.name,
    ...(dl.DriveLab_backend ? { backend: dl.DriveLab_backend } : {}),
    map: s.map,
    ...(weather ? { weather } : {}),
    ...(timeOfDay ? { timeOfDay } : {}),
    ego: {
      ...(s.entities.egoBlueprint ? { blueprint: s.entities.egoBlueprint } : {}),
      ...(s.egoSpeed !== undefined ? { targetSpeed: s.egoSpeed } : {}),
      ...(dl.DriveLab_egoDriver ? { driver: dl.DriveLab_egoDriver } : {}),
      ...(dl.DriveLab_egoSpawn ? { spawn: dl.DriveLab_egoSpawn } : {}),
      route: {
        ...(dl.DriveLab_egoRoute ?? {}),
        ...(s.routeLengthM !== undefined ? { lengthM: s.routeLengthM } : {}),
      },
    },
    traffic: {
      vehicles: Math.min(MAX_TRAFFIC, s.entities.npcs.length),
      pedestrians: Math.min(200, dl.DriveLab_pedestrians ?? s.entities.pedestrians.length),
      ...(dl.DriveLab_trafficPlaced
        ? { placed: dl.DriveLab_trafficPlaced.slice(0, Math.min(MAX_TRAFFIC, s.entities.npcs.length)) }
        : {}),
      ...(dl.DriveLab_trafficAggressiveness !== undefined ? { aggressiveness: dl.DriveLab_trafficAggressiveness } : {}),
    },
    ...(dl.DriveLab_sensors ? { sensors: dl.DriveLab_sensors } : {}),
    ...(s.durationS !== undefined ? { durationS: s.durationS } : {}),
    ...(dl.DriveLab_seed !== undefined ? { seed: dl.DriveLab_seed } : {}),
    ...(dl.DriveLab_timeFactor !== undefined ? { timeFactor: dl.DriveLab_timeFactor } : {}),
  };
}

/** Faults that no longer fit (a vehicle or time the imported scenario lacks) are reported, not kept half-valid. */
function parseWithFaults(input: ScenarioInput, dl: DriveLabValues, ledger: ImportLedger): Scenario {
  const faults: FaultSpec[] = [...(dl.DriveLab_faults ?? [])];
  for (;;) {
    const r = scenarioSchema.safeParse({ ...input, faults });
    if (r.success) return r.data;
    const bad = new Set(
      r.error.issues
        .filter((i) => i.path[0] === 'faults' && typeof i.path[1] === 'number')
        .map((i) => i.path[1] as number),
    );
    if (bad.size === 0)
      throw new XoscImportError(
        `the imported scenario is invalid: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    for (const i of [...bad].sort((a, b) => b - a)) {
      const issue = r.error.issues.find((x) => x.path[0] === 'faults' && x.path[1] === i);
      ledger.unsupported.push(
        `OpenSCENARIO/ParameterDeclarations/ParameterDeclaration[DriveLab_faults]: fault ${i + 1} (${faults[i]!.type}) dropped: ${issue?.message ?? 'invalid'}`,
      );
      faults.splice(i, 1);
    }
  }
}
export type { EgoStart } from './import-init';
