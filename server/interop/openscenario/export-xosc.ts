import {
  resolveWeather,
  scenarioSchema,
  type BuiltinMapId,
  type Scenario,
  type VehicleBlueprint,
} from '~/server/contracts/scenario';
import type { OdrNetwork } from '~/server/maps/opendrive';
import { builtinLanePlace, builtinOpenDrive } from '~/server/maps/builtin-opendrive';
import type { OdrLanePlace } from '~/server/maps/from-opendrive';
import { getMap } from '~/server/maps';
import { npcBlueprintMix } from '~/server/scenarios/blueprints';
import { CARLA_DESCRIPTION_PREFIX } from './carla-frame';
import { carlaTownForMap, egoPoseForTown, type TownPose } from '~/server/maps/carla-towns';
import { driveLabParameters } from './drivelab-parameters';
import { toOscWeather } from './weather-mapping';
import { vehicleElement } from './vehicle-models';
import { comment, el, formatNumber, serializeXml, type XmlCommentNode, type XmlElementNode } from '~/server/xml/write';

/**
 * Writes a scenario as an OpenSCENARIO 1.0 document for CARLA ScenarioRunner: the CARLA town of
 * the built-in map, the ego ("hero") under external control, NPC vehicles under CARLA's
 * autopilot, initial poses and speeds, and a stop trigger at the duration. What OpenSCENARIO
 * cannot say (faults, sensors, seed, ...) rides along in DriveLab_* parameters and comments.
 */

export interface ExportXoscOptions {
  /** FileHeader date and the calendar day of TimeOfDay; fixed by default so output is reproducible. */
  date?: Date;
  /** Ego start pose in the CARLA town, when the caller knows a better spawn point than ours. */
  egoPose?: TownPose;
  /**
   * The OpenDRIVE network of the scenario's map (its roadNetwork, or a built-in map's generated
   * file): the ego is then placed with a LanePosition on the file's real road and lane ids, and
   * LogicFile names that map.
   */
  network?: {
    name: string;
    network: OdrNetwork;
    lanePosition: { roadId: string; laneId: number; s: number; offset?: number };
    /** traffic.placed as lane positions in the file, same order (null: not on the file's lanes) */
    placed?: (OdrLanePlace | null)[];
  };
}

/**
 * A built-in map's own OpenDRIVE file (the one the CARLA bundle carries) as the export's road
 * network: the ego and placed traffic become LanePositions on its road ids.
 */
function builtinNetwork(s: Scenario): ExportXoscOptions['network'] | undefined {
  const spawn = s.ego.spawn?.laneId ? { laneId: s.ego.spawn.laneId, s: s.ego.spawn.s } : getMap(s.map).egoSpawn;
  const ego = builtinLanePlace(s.map, spawn.laneId, spawn.s);
  if (!ego) return undefined;
  return {
    name: s.map,
    network: builtinOpenDrive(s.map).network,
    lanePosition: ego,
    placed: s.traffic.placed.map((p) => builtinLanePlace(s.map, p.laneId, p.s)),
  };
}

const lanePositionEl = (p: { roadId: string; laneId: number; s: number; offset?: number }) =>
  el('LanePosition', {
    roadId: p.roadId,
    laneId: p.laneId,
    offset: Math.round((p.offset ?? 0) * 1000) / 1000,
    s: Math.round(p.s * 1000) / 1000,
  });

export const EGO_ENTITY = 'hero';
export const npcEntity = (i: number) => `npc-${i}`;

const DEFAULT_DATE = new Date(Date.UTC(2024, 5, 21, 0, 0, 0));

/** Typical NPC speed per map: the simulator's lane speed limits, at the 80 % it starts vehicles with. */
const npcStartSpeed: Record<BuiltinMapId, number> = { urban_grid: 11.1, highway_ring: 26.6, rural_hills: 17.8 };
/** Gap between NPCs placed along the ego's lane: about 1.6 s of headway at that speed plus a car length. */
const npcSpacing: Record<BuiltinMapId, number> = { urban_grid: 25, highway_ring: 50, rural_hills: 35 };

/**
 * NPC blueprints in the simulator's traffic mix, without randomness: smooth weighted round robin
 * keeps the proportions exact for any count, and the seed rotates where the sequence starts.
 */
export function npcBlueprints(count: number, seed: number): VehicleBlueprint[] {
  const total = npcBlueprintMix.reduce((a, [, w]) => a + w, 0);
  const current = npcBlueprintMix.map(() => 0);
  const out: VehicleBlueprint[] = [];
  const skip = seed % total;
  for (let i = 0; i < count + skip; i++) {
    let best = 0;
    npcBlueprintMix.forEach(([, w], k) => {
      current[k]! += w;
      if (current[k]! > current[best]!) best = k;
    });
    current[best]! -= total;
    if (i >= skip) out.push(npcBlueprintMix[best]![0]);
  }
  return out;
}

/** "2024-06-21T17:30:00": the exact form ScenarioRunner's strptime accepts. */
function dateTime(date: Date, hhmm: string): string {
  return `${date.toISOString().slice(0, 10)}T${hhmm}:00`;
}

const condition = (name: string, rule: 'greaterThan' | 'equalTo', value: number) =>
  el('Condition', { name, delay: 0, conditionEdge: 'rising' }, [
    el('ByValueCondition', {}, [el('SimulationTimeCondition', { value, rule })]),
  ]);

const speedAction = (speed: number) =>
  el('PrivateAction', {}, [
    el('LongitudinalAction', {}, [
      el('SpeedAction', {}, [
        el('SpeedActionDynamics', { dynamicsShape: 'step', value: 0, dynamicsDimension: 'time' }),
        el('SpeedActionTarget', {}, [el('AbsoluteTargetSpeed', { value: speed })]),
      ]),
    ]),
  ]);

/** OpenSCENARIO 1.0 requires the override block next to an assignment; all inactive = no override. */
const controllerAction = (name: string, module: string) =>
  el('PrivateAction', {}, [
    el('ControllerAction', {}, [
      el('AssignControllerAction', {}, [
        el('Controller', { name }, [el('Properties', {}, [el('Property', { name: 'module', value: module })])]),
      ]),
      el('OverrideControllerValueAction', {}, [
        el('Throttle', { value: 0, active: false }),
        el('Brake', { value: 0, active: false }),
        el('Clutch', { value: 0, active: false }),
        el('ParkingBrake', { value: 0, active: false }),
        el('SteeringWheel', { value: 0, active: false }),
        el('Gear', { number: 0, active: false }),
      ]),
    ]),
  ]);

const teleport = (position: XmlElementNode) =>
  el('PrivateAction', {}, [el('TeleportAction', {}, [el('Position', {}, [position])])]);

function environment(s: Scenario, date: Date): XmlElementNode {
  const w = toOscWeather(resolveWeather(s.weather));
  return el('GlobalAction', {}, [
    el('EnvironmentAction', {}, [
      el('Environment', { name: 'DriveLabEnvironment' }, [
        el('TimeOfDay', { animation: false, dateTime: dateTime(date, s.timeOfDay) }),
        el('Weather', { cloudState: w.cloudState }, [
          el('Sun', { intensity: w.sunIntensity, azimuth: w.sunAzimuth, elevation: w.sunElevation }),
          el('Fog', { visualRange: w.fogVisualRange }),
          el('Precipitation', { precipitationType: w.precipitationType, intensity: w.precipitationIntensity }),
        ]),
        el('RoadCondition', { frictionScaleFactor: w.frictionScaleFactor }),
      ]),
    ]),
  ]);
}

/** NPCs alternate ahead of and behind the ego in its lane; CARLA resolves the lane on its own map. */
function npcPosition(i: number, map: BuiltinMapId): XmlElementNode {
  const rank = Math.floor(i / 2) + 1;
  const ds = (i % 2 === 0 ? 1 : -1) * rank * npcSpacing[map];
  return el('RelativeLanePosition', { entityRef: EGO_ENTITY, dLane: 0, ds, offset: 0 });
}

function faultComments(s: Scenario): XmlCommentNode[] {
  if (s.faults.length === 0) return [];
  return [
    comment(
      'DriveLab faults (no OpenSCENARIO equivalent; CARLA runs without them, DriveLab restores them from DriveLab_faults):',
    ),
    ...s.faults.map((f, i) => {
      const target =
        typeof f.vehicle === 'number' ? npcEntity(f.vehicle) : f.vehicle === 'ego' ? EGO_ENTITY : f.vehicle;
      const parts = [
        `fault ${i + 1}: ${f.type}`,
        f.sensor ? `sensor ${f.sensor}` : '',
        `on ${target}`,
        `from ${formatNumber(f.startS)} s`,
        `ramp ${formatNumber(f.rampS)} s`,
        `severity ${formatNumber(f.severity)}`,
        f.durationS !== undefined ? `for ${formatNumber(f.durationS)} s` : 'until the end',
      ];
      return comment(parts.filter(Boolean).join(', '));
    }),
  ];
}

export function exportXosc(scenario: Scenario, opts: ExportXoscOptions = {}): string {
  // Accepts objects built in code too: defaults filled and invariants (fault targets) checked.
  const s = scenarioSchema.parse(scenario);
  const date = opts.date ?? DEFAULT_DATE;
  // A CARLA spawn pose given by the caller keeps the CARLA-town form; otherwise the scenario's
  // own map (uploaded or built-in) is the road network and positions are lane positions on it.
  const onMap = opts.network ?? (opts.egoPose ? undefined : builtinNetwork(s));
  const town = onMap ? onMap.name : carlaTownForMap[s.map];
  const pose = opts.egoPose ?? egoPoseForTown[town] ?? { x: 0, y: 0, z: 0, h: 0 };
  const egoPosition = onMap
    ? lanePositionEl(onMap.lanePosition)
    : el('WorldPosition', { x: pose.x, y: pose.y, z: pose.z, h: pose.h });
  const blueprints = npcBlueprints(s.traffic.vehicles, s.seed);
  const npcNames = blueprints.map((_, i) => npcEntity(i));

  const parameters = el(
    'ParameterDeclarations',
    {},
    driveLabParameters(s).map((p) =>
      el('ParameterDeclaration', { name: p.name, parameterType: p.type, value: p.value }),
    ),
  );

  const entities = el('Entities', {}, [
    el('ScenarioObject', { name: EGO_ENTITY }, [vehicleElement(s.ego.blueprint, 'ego_vehicle')]),
    ...blueprints.map((bp, i) => el('ScenarioObject', { name: npcNames[i]! }, [vehicleElement(bp, 'simulation')])),
  ]);

  const init = el('Init', {}, [
    el('Actions', {}, [
      environment(s, date),
      el('Private', { entityRef: EGO_ENTITY }, [
        teleport(egoPosition),
        speedAction(s.ego.targetSpeed),
        controllerAction('HeroAgent', 'external_control'),
      ]),
      ...npcNames.map((name, i) =>
        el('Private', { entityRef: name }, [
          teleport(onMap?.placed?.[i] ? lanePositionEl(onMap.placed[i]) : npcPosition(i, s.map)),
          speedAction(npcStartSpeed[s.map]),
          controllerAction('NpcAutopilot', 'carla_autopilot'),
        ]),
      ),
    ]),
  ]);

  // A Story is mandatory; traffic needs no scripted manoeuvres, so one empty group holds the NPCs.
  const story = el('Story', { name: 'DriveLabStory' }, [
    el('Act', { name: 'DriveLabAct' }, [
      el('ManeuverGroup', { maximumExecutionCount: 1, name: 'DriveLabTraffic' }, [
        el(
          'Actors',
          { selectTriggeringEntities: false },
          npcNames.map((n) => el('EntityRef', { entityRef: n })),
        ),
      ]),
      el('StartTrigger', {}, [el('ConditionGroup', {}, [condition('DriveLabStart', 'greaterThan', 0)])]),
    ]),
  ]);

  const storyboard = el('Storyboard', {}, [
    init,
    ...faultComments(s),
    story,
    el('StopTrigger', {}, [
      el('ConditionGroup', {}, [condition('DriveLabDurationReached', 'greaterThan', s.durationS)]),
    ]),
  ]);

  const root = el('OpenSCENARIO', {}, [
    el('FileHeader', {
      revMajor: 1,
      revMinor: 0,
      date: date.toISOString().replace(/\.\d{3}Z$/, ''),
      // The ego's WorldPosition is a CARLA spawn point, in CARLA's frame: say so, as ScenarioRunner's files do.
      // On a real map the ego is a LanePosition, frame-free: no CARLA frame to announce.
      description: onMap ? s.name : `${CARLA_DESCRIPTION_PREFIX}${s.name}`,
      author: 'DriveLab',
    }),
    parameters,
    el('CatalogLocations'),
    el('RoadNetwork', {}, [el('LogicFile', { filepath: town }), el('SceneGraphFile', { filepath: '' })]),
    entities,
    storyboard,
  ]);

  return serializeXml(root, [
    comment(
      onMap
        ? `DriveLab scenario "${s.name}" on the OpenDRIVE map ${town} (LogicFile ${town}.xodr in the bundle${opts.network ? '' : ", DriveLab's built-in map"}).`
        : `DriveLab scenario "${s.name}" for CARLA ScenarioRunner (built-in map ${s.map} -> CARLA ${town}).`,
    ),
    comment(
      'DriveLab_* parameters carry scenario fields OpenSCENARIO 1.0 cannot express; ScenarioRunner ignores them.',
    ),
  ]);
}
