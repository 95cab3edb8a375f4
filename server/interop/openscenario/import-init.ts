import type { ScenarioInput } from '~/server/contracts/scenario';
import { child, childrenNamed, descend, type XmlElement } from '~/server/xml/parse';
import { mirrorCarlaFrame, usesCarlaFrame } from './carla-frame';
import { fmt, num, str, type ImportContext } from './import-context';
import type { EntityInfo, ImportedEntities } from './import-entities';
import { classifyWeatherPreset, fromOscWeather, weatherInputFor } from './weather-mapping';

export interface ImportedEnvironment {
  weather: ScenarioInput['weather'];
  timeOfDay: string | undefined;
}

/** The storyboard's Init/Actions element (opened here: what is in it is taken or reported). */
export function initActionsOf(ctx: ImportContext): XmlElement | undefined {
  const init = child(ctx.storyboard, 'Init');
  const initActions = child(init, 'Actions');
  ctx.ledger.opened(init, initActions);
  return initActions;
}

/** The first EnvironmentAction of Init: weather and time of day. Later ones are left to the sweep. */
export function readEnvironment(ctx: ImportContext, initActions: XmlElement | undefined): ImportedEnvironment {
  for (const ga of childrenNamed(initActions, 'GlobalAction')) {
    const env = descend(ga, 'EnvironmentAction', 'Environment');
    if (!env) continue; // left unmarked: the sweep reports it
    ctx.ledger.handled(ga);
    return environmentOf(ctx, env);
  }
  ctx.notes.push('No EnvironmentAction in Init; weather and time of day keep their defaults.');
  return { weather: undefined, timeOfDay: undefined };
}

function environmentOf(ctx: ImportContext, env: XmlElement): ImportedEnvironment {
  const { ledger, notes } = ctx;
  const tod = child(env, 'TimeOfDay');
  const w = child(env, 'Weather');
  const sun = child(w, 'Sun');
  const fog = child(w, 'Fog');
  const prec = child(w, 'Precipitation');
  const road = child(env, 'RoadCondition');
  const ptype = str(ctx, prec, 'precipitationType') ?? 'dry';
  const resolved = fromOscWeather(
    {
      sunIntensity: num(ctx, sun, 'intensity') ?? 1,
      sunElevation: num(ctx, sun, 'elevation') ?? Math.PI / 4,
      fogVisualRange: num(ctx, fog, 'visualRange') ?? Infinity,
      precipitationType: ptype === 'rain' || ptype === 'snow' ? ptype : 'dry',
      precipitationIntensity: num(ctx, prec, 'intensity') ?? 0,
      frictionScaleFactor: num(ctx, road, 'frictionScaleFactor') ?? 1,
    },
    ctx.fromDriveLab,
  );
  const preset = ctx.dl.DriveLab_weatherPreset ?? classifyWeatherPreset(resolved);
  const weather = weatherInputFor(resolved, preset);
  notes.push(
    `Weather: ${preset}${Object.keys(weather).length > 1 ? ' with explicit values from the file' : ''} (cloudiness from sun intensity, as CARLA reads it).`,
  );
  if (ptype === 'snow')
    ledger.report(prec!, 'snow is not modelled (nor by CARLA); imported as rain of the same intensity');
  if ((num(ctx, sun, 'azimuth') ?? 0) !== 0)
    ledger.report(sun!, `sun azimuth ${fmt(num(ctx, sun, 'azimuth')!)} rad is not modelled; only the altitude is`);
  if (child(fog, 'BoundingBox'))
    ledger.report(child(fog, 'BoundingBox')!, 'local fog volumes are not modelled; the fog applies everywhere');
  if (child(road, 'Properties'))
    ledger.report(child(road, 'Properties')!, 'road condition properties are not modelled');
  if (child(env, 'ParameterDeclarations')?.children.length)
    ledger.report(child(env, 'ParameterDeclarations')!, 'environment parameters are not modelled');
  let timeOfDay: string | undefined;
  const dt = str(ctx, tod, 'dateTime');
  const hm = dt ? /T(\d{2}):(\d{2})/.exec(dt) : null;
  if (hm && Number(hm[1]) < 24 && Number(hm[2]) < 60) timeOfDay = `${hm[1]}:${hm[2]}`;
  else notes.push(`TimeOfDay ${dt ? `"${dt}"` : '(missing)'} could not be read; time of day defaults to 12:00.`);
  if (str(ctx, tod, 'animation') === 'true' || str(ctx, tod, 'animation') === '1')
    ledger.report(tod!, 'the clock runs during the scenario (animation=true); DriveLab keeps the time of day fixed');
  return { weather, timeOfDay };
}

/** Where the map came from, for the notes on start positions. */
export interface MapChoice {
  map: NonNullable<ScenarioInput['map']>;
  town: string | null;
  /** RoadNetwork/LogicFile filepath as written, for resolving against an organisation's maps. */
  logicFile?: string;
}

export type EgoStart =
  | { kind: 'world'; x: number; y: number; z: number; h: number; fromCarlaFrame: boolean }
  | { kind: 'lane'; roadId: string; laneId: number; s: number; offset: number }
  | { kind: 'road'; roadId: string; s: number; t: number };

/** The ego's start as the file gives it: world positions in OpenDRIVE's frame (CARLA's mirrored). */
export function readEgoStart(
  ctx: ImportContext,
  initActions: XmlElement | undefined,
  entities: ImportedEntities,
): EgoStart | undefined {
  const ego = entities.ego;
  if (!ego) return undefined;
  const carlaFrame = usesCarlaFrame(str(ctx, child(ctx.root, 'FileHeader'), 'description'));
  for (const priv of childrenNamed(initActions, 'Private')) {
    if ((priv.attrs.entityRef ?? '') !== ego.name) continue;
    for (const pa of childrenNamed(priv, 'PrivateAction')) {
      const pos = child(child(pa, 'TeleportAction'), 'Position')?.children[0];
      if (pos) return egoStartOf(ctx, pos, carlaFrame);
    }
  }
  return undefined;
}

function egoStartOf(ctx: ImportContext, pos: XmlElement, carlaFrame: boolean): EgoStart | undefined {
  const road = str(ctx, pos, 'roadId');
  if (pos.name === 'WorldPosition') {
    const x = num(ctx, pos, 'x');
    const y = num(ctx, pos, 'y');
    if (x === undefined || y === undefined) return undefined;
    const p = { x, y, z: num(ctx, pos, 'z') ?? 0, h: num(ctx, pos, 'h') ?? 0 };
    return { kind: 'world', ...(carlaFrame ? mirrorCarlaFrame(p) : p), fromCarlaFrame: carlaFrame };
  }
  if (pos.name === 'LanePosition' && road !== undefined) {
    const laneId = Number(str(ctx, pos, 'laneId'));
    const s = num(ctx, pos, 's');
    if (!Number.isInteger(laneId) || s === undefined) return undefined;
    return { kind: 'lane', roadId: road, laneId, s, offset: num(ctx, pos, 'offset') ?? 0 };
  }
  if (pos.name === 'RoadPosition' && road !== undefined) {
    const s = num(ctx, pos, 's');
    if (s === undefined) return undefined;
    return { kind: 'road', roadId: road, s, t: num(ctx, pos, 't') ?? 0 };
  }
  return undefined;
}

/** One entity's Private init actions, as seen by the rules below. */
interface Actor {
  ent: EntityInfo;
  isEgo: boolean;
  /** How the notes name it. */
  who: string;
}

/** Init's Private actions: the ego's absolute speed is taken; the rest is accepted or reported. */
export function readPrivateInits(
  ctx: ImportContext,
  initActions: XmlElement | undefined,
  entities: ImportedEntities,
  where: MapChoice,
): number | undefined {
  let egoSpeed: number | undefined;
  const byName = new Map(entities.all.map((e) => [e.name, e]));
  for (const priv of childrenNamed(initActions, 'Private')) {
    const ref = priv.attrs.entityRef ?? '';
    const ent = byName.get(ref);
    if (!ent) {
      ctx.ledger.report(priv, `initial actions for "${ref}", an entity DriveLab did not import`);
      continue;
    }
    ctx.ledger.opened(priv);
    const isEgo = ent === entities.ego;
    const who = isEgo ? 'ego' : ent.kind === 'pedestrian' ? `pedestrian "${ref}"` : `traffic vehicle "${ref}"`;
    const actor: Actor = { ent, isEgo, who };
    for (const pa of childrenNamed(priv, 'PrivateAction')) {
      const teleport = child(pa, 'TeleportAction');
      const speed = descend(pa, 'LongitudinalAction', 'SpeedAction');
      const ctrl = child(pa, 'ControllerAction');
      if (teleport) teleportAction(ctx, pa, teleport, actor, where);
      else if (speed) egoSpeed = speedAction(ctx, pa, speed, actor) ?? egoSpeed;
      else if (ctrl) controllerAction(ctx, pa, ctrl, actor);
      // Lateral, routing, visibility, synchronise … : left unmarked, the sweep reports them.
    }
  }
  if (egoSpeed === undefined) ctx.notes.push('No initial ego speed in Init; the ego target speed keeps its default.');
  return egoSpeed;
}

/** Start positions are CARLA poses: DriveLab's own maps place vehicles themselves. */
function teleportAction(ctx: ImportContext, pa: XmlElement, teleport: XmlElement, a: Actor, m: MapChoice): void {
  const position = child(teleport, 'Position')?.children[0];
  const where = position
    ? `${position.name}(${Object.entries(position.attrs)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')})`
    : 'no position';
  if (ctx.fromDriveLab) {
    ctx.ledger.handled(pa);
    if (a.isEgo)
      ctx.notes.push(
        `Ego start ${where} is the CARLA pose DriveLab exported; the built-in run uses ${ctx.dl.DriveLab_egoSpawn ? 'the restored DriveLab spawn' : "the map's default ego spawn"}.`,
      );
  } else if (a.isEgo) {
    ctx.ledger.report(
      pa,
      `ego start ${where} is a position in CARLA ${m.town ?? 'coordinates'}; the built-in map ${m.map} has other geometry, so its default ego spawn is used`,
    );
  } else {
    ctx.ledger.report(pa, `start ${where} of ${a.who}: the built-in simulator places traffic itself (seeded)`);
  }
}

/** The ego's absolute initial speed becomes its target speed (returned); others are reported. */
function speedAction(ctx: ImportContext, pa: XmlElement, speed: XmlElement, a: Actor): number | undefined {
  const target = child(child(speed, 'SpeedActionTarget'), 'AbsoluteTargetSpeed');
  const v = num(ctx, target, 'value');
  if (a.isEgo && v !== undefined) {
    ctx.ledger.handled(pa);
    const egoSpeed = Math.min(70, Math.max(0, v));
    ctx.notes.push(
      `Ego initial speed ${fmt(v)} m/s becomes its target speed${egoSpeed !== v ? ` (clamped to ${fmt(egoSpeed)})` : ''}.`,
    );
    return egoSpeed;
  }
  if (!a.isEgo && ctx.fromDriveLab && v !== undefined) {
    ctx.ledger.handled(pa);
    return undefined;
  }
  ctx.ledger.report(
    pa,
    `initial ${v !== undefined ? `speed ${fmt(v)} m/s` : 'relative speed'} of ${a.who}: ${a.isEgo ? 'only absolute speeds are imported' : 'built-in traffic drives at lane speed limits scaled by aggressiveness'}`,
  );
  return undefined;
}

/** CARLA's usual controllers (external for the ego, autopilot for traffic) are what DriveLab does anyway. */
function controllerAction(ctx: ImportContext, pa: XmlElement, ctrl: XmlElement, a: Actor): void {
  const module = childrenNamed(descend(ctrl, 'AssignControllerAction', 'Controller', 'Properties'), 'Property').find(
    (p) => p.attrs.name === 'module',
  )?.attrs.value;
  const override = child(ctrl, 'OverrideControllerValueAction');
  const overriding =
    override?.children.filter((o) => str(ctx, o, 'active') === 'true' || str(ctx, o, 'active') === '1') ?? [];
  const expected = a.isEgo ? 'external_control' : 'carla_autopilot';
  if (module === expected && a.ent.kind === 'vehicle' && overriding.length === 0) {
    ctx.ledger.handled(pa);
    return;
  }
  ctx.ledger.report(
    pa,
    `controller ${module ? `"${module}"` : '(catalog or unnamed)'} for ${a.who}${overriding.length ? ` with overridden ${overriding.map((o) => o.name).join(', ')}` : ''}: ${a.isEgo ? 'the ego is driven by DriveLab (or your stack on CARLA)' : 'built-in traffic is driven by its own IDM/MOBIL model'}`,
  );
}
