import {
  scenarioSchema,
  type FaultSpec,
  type Scenario,
  type ScenarioInput,
  type VehicleBlueprint,
} from '~/server/contracts/scenario';
import { mapForTown } from './carla-towns';
import { mirrorCarlaFrame, usesCarlaFrame } from './carla-frame';
import { EXPORT_FORMAT_PARAM, readDriveLabParameters, type DriveLabValues } from './drivelab-parameters';
import { ImportLedger, conditionKind, describe, triggerSummary } from './unsupported-report';
import { matchBlueprint } from './vehicle-models';
import { classifyWeatherPreset, fromOscWeather, weatherInputFor } from './weather-mapping';
import { child, childrenNamed, descend, parseXml, type XmlElement } from '~/server/xml/parse';

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

export type EgoStart =
  | { kind: 'world'; x: number; y: number; z: number; h: number; fromCarlaFrame: boolean }
  | { kind: 'lane'; roadId: string; laneId: number; s: number; offset: number }
  | { kind: 'road'; roadId: string; s: number; t: number };

export class XoscImportError extends Error {
  override name = 'XoscImportError';
}

interface EntityInfo {
  name: string;
  el: XmlElement;
  kind: 'vehicle' | 'pedestrian';
  model: string;
  category?: string;
  role?: string;
}

const EGO_NAMES = new Set(['hero', 'ego']);
const fmt = (n: number) => String(Math.round(n * 1000) / 1000);

export function importXosc(xml: string): ImportXoscResult {
  const root = parseXml(xml);
  if (root.name !== 'OpenSCENARIO')
    throw new XoscImportError(`not an OpenSCENARIO document: the root element is <${root.name}>`);
  if (child(root, 'Catalog')) throw new XoscImportError('this is an OpenSCENARIO catalog, not a scenario');
  const storyboard = child(root, 'Storyboard');
  if (!storyboard) throw new XoscImportError('the document has no Storyboard');

  const ledger = new ImportLedger(root);
  const notes: string[] = [];
  ledger.opened(root, storyboard);

  // ---- parameters: values for $references, and DriveLab's own fields
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

  /** Attribute as a number, following a $parameter reference. */
  const num = (e: XmlElement | undefined, attr: string): number | undefined => {
    let raw = e?.attrs[attr];
    if (raw === undefined) return undefined;
    if (raw.startsWith('$')) raw = params.get(raw.slice(1));
    if (raw === undefined || raw.trim() === '') return undefined;
    const n = Number(raw);
    return Number.isFinite(n) ? n : undefined;
  };
  const str = (e: XmlElement | undefined, attr: string): string | undefined => {
    const raw = e?.attrs[attr];
    return raw?.startsWith('$') ? params.get(raw.slice(1)) : raw;
  };

  // ---- header
  const header = child(root, 'FileHeader');
  ledger.handled(header);
  // Catalogs are not resolved: any catalog location is reported by the sweep.
  ledger.opened(child(root, 'CatalogLocations'));
  const name =
    (str(header, 'description') ?? '')
      .replace(/^CARLA:/, '')
      .trim()
      .slice(0, 200) || 'Imported scenario';

  // ---- road network → built-in map
  const roadNetwork = child(root, 'RoadNetwork');
  ledger.opened(roadNetwork);
  const logicFile = child(roadNetwork, 'LogicFile');
  ledger.handled(logicFile);
  const townPath = str(logicFile, 'filepath');
  const town = mapForTown(townPath);
  let map = town.map;
  if (!town.town && dl.DriveLab_map) map = dl.DriveLab_map;
  if (!town.town)
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
  if (sceneGraph && str(sceneGraph, 'filepath'))
    ledger.report(sceneGraph, 'scene graph (3D model) files are not used; the built-in map has its own geometry');
  else ledger.handled(sceneGraph);

  // ---- entities
  const entitiesEl = child(root, 'Entities');
  ledger.opened(entitiesEl);
  const entities: EntityInfo[] = [];
  for (const so of childrenNamed(entitiesEl, 'ScenarioObject')) {
    const ename = so.attrs.name ?? '';
    const vehicle = child(so, 'Vehicle');
    const ped = child(so, 'Pedestrian');
    if (vehicle) {
      const role = childrenNamed(child(vehicle, 'Properties'), 'Property').find((p) => p.attrs.name === 'type')?.attrs
        .value;
      entities.push({
        name: ename,
        el: so,
        kind: 'vehicle',
        model: str(vehicle, 'name') ?? '',
        category: str(vehicle, 'vehicleCategory'),
        role,
      });
      ledger.opened(so);
      ledger.handled(vehicle);
    } else if (ped) {
      entities.push({ name: ename, el: so, kind: 'pedestrian', model: str(ped, 'model') ?? str(ped, 'name') ?? '' });
      ledger.opened(so);
      ledger.handled(ped);
    }
    // MiscObject / CatalogReference entities stay unmarked and are reported by the sweep.
  }
  const vehicles = entities.filter((e) => e.kind === 'vehicle');
  const pedestrians = entities.filter((e) => e.kind === 'pedestrian');
  if (vehicles.length)
    notes.push(
      "Vehicle dimensions and performance come from DriveLab's blueprint models, not from the file's BoundingBox/Performance/Axles.",
    );

  const egoCandidates = vehicles.filter((v) => v.role === 'ego_vehicle');
  const ego = egoCandidates[0] ?? vehicles.find((v) => EGO_NAMES.has(v.name.toLowerCase())) ?? vehicles[0];
  if (!egoCandidates.length && ego && !EGO_NAMES.has(ego.name.toLowerCase()))
    notes.push(`No vehicle is marked as ego; "${ego.name}" was taken as the ego.`);
  for (const extra of egoCandidates.slice(1))
    ledger.report(extra.el, 'a second ego vehicle; DriveLab has one ego, so it becomes ordinary traffic');
  const npcs = vehicles.filter((v) => v !== ego);

  let egoBlueprint: VehicleBlueprint | undefined;
  if (ego) {
    const m = matchBlueprint(ego.model, ego.category);
    egoBlueprint = m.blueprint;
    if (!m.exact)
      notes.push(`Ego blueprint "${ego.model}" is not modelled by the built-in backend; using ${m.blueprint}.`);
  } else notes.push('The file has no vehicle; the ego uses the default blueprint.');
  if (npcs.length) {
    const models = [...new Set(npcs.map((n) => n.model))].join(', ');
    notes.push(
      `${npcs.length} traffic vehicle(s) (${models}) become traffic.vehicles; the built-in simulator draws NPC blueprints from its own mix.`,
    );
  }
  const maxTraffic = 200;
  if (npcs.length > maxTraffic) notes.push(`Traffic capped at ${maxTraffic} vehicles (the file has ${npcs.length}).`);
  if (pedestrians.length && dl.DriveLab_pedestrians === undefined)
    notes.push(
      `${pedestrians.length} pedestrian(s) become traffic.pedestrians; built-in pedestrians cross on their own, their scripted behaviour is not imported.`,
    );

  // ---- storyboard: Init
  const init = child(storyboard, 'Init');
  const initActions = child(init, 'Actions');
  ledger.opened(init, initActions);

  let weatherFound = false;
  let weather: ScenarioInput['weather'];
  let timeOfDay: string | undefined;
  for (const ga of childrenNamed(initActions, 'GlobalAction')) {
    const env = descend(ga, 'EnvironmentAction', 'Environment');
    if (!env || weatherFound) continue; // left unmarked: the sweep reports it
    weatherFound = true;
    ledger.handled(ga);
    const tod = child(env, 'TimeOfDay');
    const w = child(env, 'Weather');
    const sun = child(w, 'Sun');
    const fog = child(w, 'Fog');
    const prec = child(w, 'Precipitation');
    const road = child(env, 'RoadCondition');
    const ptype = str(prec, 'precipitationType') ?? 'dry';
    const resolved = fromOscWeather(
      {
        sunIntensity: num(sun, 'intensity') ?? 1,
        sunElevation: num(sun, 'elevation') ?? Math.PI / 4,
        fogVisualRange: num(fog, 'visualRange') ?? Infinity,
        precipitationType: ptype === 'rain' || ptype === 'snow' ? ptype : 'dry',
        precipitationIntensity: num(prec, 'intensity') ?? 0,
        frictionScaleFactor: num(road, 'frictionScaleFactor') ?? 1,
      },
      fromDriveLab,
    );
    const preset = dl.DriveLab_weatherPreset ?? classifyWeatherPreset(resolved);
    weather = weatherInputFor(resolved, preset);
    notes.push(
      `Weather: ${preset}${Object.keys(weather).length > 1 ? ' with explicit values from the file' : ''} (cloudiness from sun intensity, as CARLA reads it).`,
    );
    if (ptype === 'snow')
      ledger.report(prec!, 'snow is not modelled (nor by CARLA); imported as rain of the same intensity');
    if ((num(sun, 'azimuth') ?? 0) !== 0)
      ledger.report(sun!, `sun azimuth ${fmt(num(sun, 'azimuth')!)} rad is not modelled; only the altitude is`);
    if (child(fog, 'BoundingBox'))
      ledger.report(child(fog, 'BoundingBox')!, 'local fog volumes are not modelled; the fog applies everywhere');
    if (child(road, 'Properties'))
      ledger.report(child(road, 'Properties')!, 'road condition properties are not modelled');
    if (child(env, 'ParameterDeclarations')?.children.length)
      ledger.report(child(env, 'ParameterDeclarations')!, 'environment parameters are not modelled');
    const dt = str(tod, 'dateTime');
    const hm = dt ? /T(\d{2}):(\d{2})/.exec(dt) : null;
    if (hm && Number(hm[1]) < 24 && Number(hm[2]) < 60) timeOfDay = `${hm[1]}:${hm[2]}`;
    else notes.push(`TimeOfDay ${dt ? `"${dt}"` : '(missing)'} could not be read; time of day defaults to 12:00.`);
    if (str(tod, 'animation') === 'true' || str(tod, 'animation') === '1')
      ledger.report(tod!, 'the clock runs during the scenario (animation=true); DriveLab keeps the time of day fixed');
  }
  if (!weatherFound) notes.push('No EnvironmentAction in Init; weather and time of day keep their defaults.');

  let egoSpeed: number | undefined;
  let egoStart: EgoStart | undefined;
  const carlaFrame = usesCarlaFrame(str(header, 'description'));
  const readStart = (pos: XmlElement): EgoStart | undefined => {
    const road = str(pos, 'roadId');
    if (pos.name === 'WorldPosition') {
      const x = num(pos, 'x');
      const y = num(pos, 'y');
      if (x === undefined || y === undefined) return undefined;
      const p = { x, y, z: num(pos, 'z') ?? 0, h: num(pos, 'h') ?? 0 };
      return { kind: 'world', ...(carlaFrame ? mirrorCarlaFrame(p) : p), fromCarlaFrame: carlaFrame };
    }
    if (pos.name === 'LanePosition' && road !== undefined) {
      const laneId = Number(str(pos, 'laneId'));
      const sv = num(pos, 's');
      if (!Number.isInteger(laneId) || sv === undefined) return undefined;
      return { kind: 'lane', roadId: road, laneId, s: sv, offset: num(pos, 'offset') ?? 0 };
    }
    if (pos.name === 'RoadPosition' && road !== undefined) {
      const sv = num(pos, 's');
      if (sv === undefined) return undefined;
      return { kind: 'road', roadId: road, s: sv, t: num(pos, 't') ?? 0 };
    }
    return undefined;
  };
  const byName = new Map(entities.map((e) => [e.name, e]));
  for (const priv of childrenNamed(initActions, 'Private')) {
    const ref = priv.attrs.entityRef ?? '';
    const ent = byName.get(ref);
    if (!ent) {
      ledger.report(priv, `initial actions for "${ref}", an entity DriveLab did not import`);
      continue;
    }
    ledger.opened(priv);
    const isEgo = ent === ego;
    const who = isEgo ? 'ego' : ent.kind === 'pedestrian' ? `pedestrian "${ref}"` : `traffic vehicle "${ref}"`;
    for (const pa of childrenNamed(priv, 'PrivateAction')) {
      const teleport = child(pa, 'TeleportAction');
      const speed = descend(pa, 'LongitudinalAction', 'SpeedAction');
      const ctrl = child(pa, 'ControllerAction');
      if (teleport) {
        const position = child(teleport, 'Position')?.children[0];
        const where = position
          ? `${position.name}(${Object.entries(position.attrs)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')})`
          : 'no position';
        if (isEgo && position) egoStart = readStart(position);
        if (fromDriveLab) {
          ledger.handled(pa);
          if (isEgo)
            notes.push(
              `Ego start ${where} is the CARLA pose DriveLab exported; the built-in run uses ${dl.DriveLab_egoSpawn ? 'the restored DriveLab spawn' : "the map's default ego spawn"}.`,
            );
        } else if (isEgo) {
          ledger.report(
            pa,
            `ego start ${where} is a position in CARLA ${town.town ?? 'coordinates'}; the built-in map ${map} has other geometry, so its default ego spawn is used`,
          );
        } else {
          ledger.report(pa, `start ${where} of ${who}: the built-in simulator places traffic itself (seeded)`);
        }
        continue;
      }
      if (speed) {
        const target = child(child(speed, 'SpeedActionTarget'), 'AbsoluteTargetSpeed');
        const v = num(target, 'value');
        if (isEgo && v !== undefined) {
          ledger.handled(pa);
          egoSpeed = Math.min(70, Math.max(0, v));
          notes.push(
            `Ego initial speed ${fmt(v)} m/s becomes its target speed${egoSpeed !== v ? ` (clamped to ${fmt(egoSpeed)})` : ''}.`,
          );
        } else if (!isEgo && fromDriveLab && v !== undefined) {
          ledger.handled(pa);
        } else {
          ledger.report(
            pa,
            `initial ${v !== undefined ? `speed ${fmt(v)} m/s` : 'relative speed'} of ${who}: ${isEgo ? 'only absolute speeds are imported' : 'built-in traffic drives at lane speed limits scaled by aggressiveness'}`,
          );
        }
        continue;
      }
      if (ctrl) {
        const module = childrenNamed(
          descend(ctrl, 'AssignControllerAction', 'Controller', 'Properties'),
          'Property',
        ).find((p) => p.attrs.name === 'module')?.attrs.value;
        const override = child(ctrl, 'OverrideControllerValueAction');
        const overriding =
          override?.children.filter((o) => str(o, 'active') === 'true' || str(o, 'active') === '1') ?? [];
        const expected = isEgo ? 'external_control' : 'carla_autopilot';
        if (module === expected && ent.kind === 'vehicle' && overriding.length === 0) {
          ledger.handled(pa);
        } else {
          ledger.report(
            pa,
            `controller ${module ? `"${module}"` : '(catalog or unnamed)'} for ${who}${overriding.length ? ` with overridden ${overriding.map((o) => o.name).join(', ')}` : ''}: ${isEgo ? 'the ego is driven by DriveLab (or your stack on CARLA)' : 'built-in traffic is driven by its own IDM/MOBIL model'}`,
          );
        }
        continue;
      }
      // Lateral, routing, visibility, synchronise … : left unmarked, the sweep reports them.
    }
  }
  if (egoSpeed === undefined) notes.push('No initial ego speed in Init; the ego target speed keeps its default.');

  // ---- storyboard: stories (DriveLab has no script; only trivial structure and route length are taken)
  let routeLengthM: number | undefined;
  for (const story of childrenNamed(storyboard, 'Story')) {
    ledger.opened(story);
    ledger.handled(child(story, 'ParameterDeclarations'));
    for (const act of childrenNamed(story, 'Act')) {
      ledger.opened(act);
      for (const mg of childrenNamed(act, 'ManeuverGroup')) {
        ledger.opened(mg);
        ledger.handled(child(mg, 'Actors'));
        for (const m of childrenNamed(mg, 'Maneuver')) {
          ledger.opened(m);
          ledger.handled(child(m, 'ParameterDeclarations'));
          for (const ev of childrenNamed(m, 'Event'))
            ledger.report(ev, `${describe(ev)}: scripted behaviour is not modelled by DriveLab`);
        }
      }
      const start = child(act, 'StartTrigger');
      const startConds = start ? [...start.children.flatMap((g) => childrenNamed(g, 'Condition'))] : [];
      if (
        startConds.every(
          (c) =>
            conditionKind(c) === 'SimulationTimeCondition' &&
            (num(descend(c, 'ByValueCondition', 'SimulationTimeCondition'), 'value') ?? 0) === 0,
        )
      )
        ledger.handled(start);
      else ledger.report(start!, `act starts on ${triggerSummary(start!)}; DriveLab runs everything from t = 0`);
      const stop = child(act, 'StopTrigger');
      if (stop && stop.children.length) {
        ledger.opened(stop);
        for (const g of childrenNamed(stop, 'ConditionGroup')) {
          const conds = childrenNamed(g, 'Condition');
          const only = conds.length === 1 ? conds[0]! : undefined;
          const traveled = only && descend(only, 'ByEntityCondition', 'EntityCondition', 'TraveledDistanceCondition');
          const triggeredBy =
            only &&
            childrenNamed(descend(only, 'ByEntityCondition', 'TriggeringEntities'), 'EntityRef').map(
              (r) => r.attrs.entityRef,
            );
          const len = num(traveled, 'value');
          if (
            traveled &&
            len !== undefined &&
            len > 0 &&
            ego &&
            triggeredBy?.length === 1 &&
            triggeredBy[0] === ego.name
          ) {
            ledger.handled(g);
            routeLengthM = Math.min(routeLengthM ?? Infinity, len);
            notes.push(`Act ends after the ego travels ${fmt(len)} m: imported as ego.route.lengthM.`);
          } else ledger.report(g, `act stop condition on ${triggerSummary(g)} is not modelled`);
        }
      }
    }
  }

  // ---- storyboard stop trigger → duration
  let durationS: number | undefined;
  const stop = child(storyboard, 'StopTrigger');
  ledger.opened(stop);
  for (const g of childrenNamed(stop, 'ConditionGroup')) {
    ledger.opened(g);
    for (const c of childrenNamed(g, 'Condition')) {
      const sim = descend(c, 'ByValueCondition', 'SimulationTimeCondition');
      const v = num(sim, 'value');
      const rule = str(sim, 'rule');
      if (sim && v !== undefined && v > 0 && (rule === 'greaterThan' || rule === 'equalTo')) {
        ledger.handled(c);
        durationS = Math.min(durationS ?? Infinity, v);
        if (childrenNamed(g, 'Condition').length > 1)
          notes.push(
            'The duration condition shares its ConditionGroup with others; DriveLab stops at the duration alone.',
          );
      } else if (/^criteria_/.test(c.attrs.name ?? '')) {
        ledger.report(
          c,
          `CARLA evaluation criterion (${conditionKind(c)}); DriveLab computes its own KPIs and infractions`,
        );
      } else ledger.report(c, `stop condition ${conditionKind(c)} is not modelled; DriveLab stops at the duration`);
    }
  }
  if (durationS === undefined)
    notes.push('No SimulationTimeCondition in the storyboard StopTrigger; duration defaults to 60 s.');
  else if (durationS > 3600) {
    notes.push(`Duration ${fmt(durationS)} s capped at 3600 s.`);
    durationS = 3600;
  }

  // ---- assemble; the sweep lists whatever no rule above took
  const input: ScenarioInput = {
    name,
    ...(dl.DriveLab_backend ? { backend: dl.DriveLab_backend } : {}),
    map,
    ...(weather ? { weather } : {}),
    ...(timeOfDay ? { timeOfDay } : {}),
    ego: {
      ...(egoBlueprint ? { blueprint: egoBlueprint } : {}),
      ...(egoSpeed !== undefined ? { targetSpeed: egoSpeed } : {}),
      ...(dl.DriveLab_egoDriver ? { driver: dl.DriveLab_egoDriver } : {}),
      ...(dl.DriveLab_egoSpawn ? { spawn: dl.DriveLab_egoSpawn } : {}),
      route: { ...(dl.DriveLab_egoRoute ?? {}), ...(routeLengthM !== undefined ? { lengthM: routeLengthM } : {}) },
    },
    traffic: {
      vehicles: Math.min(maxTraffic, npcs.length),
      pedestrians: Math.min(200, dl.DriveLab_pedestrians ?? pedestrians.length),
      ...(dl.DriveLab_trafficAggressiveness !== undefined ? { aggressiveness: dl.DriveLab_trafficAggressiveness } : {}),
    },
    ...(dl.DriveLab_sensors ? { sensors: dl.DriveLab_sensors } : {}),
    ...(durationS !== undefined ? { durationS } : {}),
    ...(dl.DriveLab_seed !== undefined ? { seed: dl.DriveLab_seed } : {}),
    ...(dl.DriveLab_timeFactor !== undefined ? { timeFactor: dl.DriveLab_timeFactor } : {}),
  };
  const scenario = parseWithFaults(input, dl, ledger);
  return { scenario, unsupported: ledger.sweep(), notes, logicFile: townPath, egoStart };
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
