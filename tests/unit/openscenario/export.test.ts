import { describe, expect, it } from 'vitest';
import { scenarioPresets, scenarioSchema, type Scenario } from '~/server/contracts/scenario';
import { exportXosc } from '~/server/interop/openscenario';
import { npcBlueprints } from '~/server/interop/openscenario/export-xosc';
import { child, childrenNamed, descend, parseXml } from '~/server/xml/parse';
import { validateWithXmllint } from './helpers';
import { getMap } from '~/server/maps';
import { builtinMapXodr } from '~/server/maps/builtin-opendrive';
import { lanePose, readOpenDrive } from '~/server/maps/opendrive';
import { builtinMapIds } from '~/server/contracts/scenario';

const find = (n: ReturnType<typeof parseXml>, name: string): ReturnType<typeof parseXml>[] => [
  ...(n.name === name ? [n] : []),
  ...n.children.flatMap((c) => find(c, name)),
];

const faultyCrowd: Scenario = scenarioSchema.parse({
  name: 'Faults & a crowd <stress>',
  map: 'urban_grid',
  weather: { preset: 'HardRainNight', fog: 35 },
  timeOfDay: '23:45',
  ego: { blueprint: 'vehicle.nissan.patrol_2021', targetSpeed: 12, spawn: { laneId: 'urban:x', s: 5 } },
  traffic: { vehicles: 200, pedestrians: 50, aggressiveness: 0.9 },
  faults: [
    { type: 'brake_fade', vehicle: 'ego', startS: 5 },
    { type: 'engine_overheat', vehicle: 199, startS: 10, durationS: 20 },
    { type: 'gnss_drift', vehicle: 'npc-3', startS: 1, rampS: 0, severity: 1 },
    { type: 'sensor_stuck', vehicle: 'ego', sensor: 'speed', startS: 30 },
  ],
  durationS: 300,
  seed: 4242,
  timeFactor: 'max',
});

describe('exportXosc', () => {
  it('every preset and a scenario with faults and 200 NPCs validate against OpenSCENARIO.xsd', () => {
    const docs: Record<string, string> = Object.fromEntries(
      Object.entries(scenarioPresets).map(([id, s]) => [id, exportXosc(s)]),
    );
    docs.faultyCrowd = exportXosc(faultyCrowd);
    const results = validateWithXmllint(docs);
    expect(Object.keys(results)).toHaveLength(Object.keys(scenarioPresets).length + 1);
    for (const [id, r] of Object.entries(results)) expect(r, `${id}: ${r.output}`).toMatchObject({ code: 0 });
  });

  it('the validation step rejects broken documents (the check can fail)', () => {
    const good = exportXosc(scenarioPresets.highway_cruise);
    const results = validateWithXmllint({
      // Storyboard without its mandatory StopTrigger
      noStopTrigger: good.replace(/<StopTrigger>[\s\S]*<\/StopTrigger>\n {2}<\/Storyboard>/, '</Storyboard>'),
      // an enumeration value the schema does not allow
      badCloudState: good.replace('cloudState="free"', 'cloudState="sunny"'),
      // not even well-formed
      malformed: good.replace('</Entities>', ''),
    });
    for (const [id, r] of Object.entries(results)) expect(r.code, id).not.toBe(0);
    expect(results.badCloudState!.output).toMatch(/cloudState/);
  });

  it('writes the CARLA structure ScenarioRunner expects', () => {
    const doc = parseXml(exportXosc(scenarioPresets.urban_rush_hour));
    // The built-in map's own OpenDRIVE file (in the CARLA bundle), not a CARLA town of like character.
    expect(descend(doc, 'RoadNetwork', 'LogicFile')?.attrs.filepath).toBe('urban_grid');
    const objects = childrenNamed(child(doc, 'Entities'), 'ScenarioObject');
    expect(objects).toHaveLength(41);
    const hero = objects[0]!;
    expect(hero.attrs.name).toBe('hero');
    expect(child(hero, 'Vehicle')?.attrs.name).toBe('vehicle.tesla.model3');
    expect(descend(hero, 'Vehicle', 'Properties', 'Property')?.attrs).toEqual({ name: 'type', value: 'ego_vehicle' });

    const privates = childrenNamed(descend(doc, 'Storyboard', 'Init', 'Actions'), 'Private');
    const modules = privates.map((p) => {
      const ctrl = childrenNamed(p, 'PrivateAction')
        .map((a) => descend(a, 'ControllerAction', 'AssignControllerAction', 'Controller', 'Properties', 'Property'))
        .find(Boolean);
      return [p.attrs.entityRef, ctrl?.attrs.value];
    });
    expect(modules[0]).toEqual(['hero', 'external_control']);
    expect(modules.slice(1).every(([, m]) => m === 'carla_autopilot')).toBe(true);
    const heroSpeed = childrenNamed(privates[0], 'PrivateAction')
      .map((a) => descend(a, 'LongitudinalAction', 'SpeedAction', 'SpeedActionTarget', 'AbsoluteTargetSpeed'))
      .find(Boolean);
    expect(heroSpeed?.attrs.value).toBe('13.9');

    const env = descend(doc, 'Storyboard', 'Init', 'Actions', 'GlobalAction', 'EnvironmentAction', 'Environment');
    expect(child(env, 'TimeOfDay')?.attrs.dateTime).toMatch(/^\d{4}-\d{2}-\d{2}T17:30:00$/);
    expect(descend(env, 'Weather')?.attrs.cloudState).toBe('cloudy');

    const stop = descend(
      doc,
      'Storyboard',
      'StopTrigger',
      'ConditionGroup',
      'Condition',
      'ByValueCondition',
      'SimulationTimeCondition',
    );
    expect(stop?.attrs).toEqual({ value: '180', rule: 'greaterThan' });
  });

  it('keeps faults and DriveLab-only fields in named parameters and comments', () => {
    const xml = exportXosc(faultyCrowd);
    const params = new Map(
      childrenNamed(child(parseXml(xml), 'ParameterDeclarations'), 'ParameterDeclaration').map((p) => [
        p.attrs.name,
        p.attrs.value,
      ]),
    );
    expect(JSON.parse(params.get('DriveLab_faults')!)).toEqual(faultyCrowd.faults);
    expect(params.get('DriveLab_seed')).toBe('4242');
    expect(params.get('DriveLab_timeFactor')).toBe('max');
    expect(JSON.parse(params.get('DriveLab_sensors')!)).toEqual(faultyCrowd.sensors);
    expect(xml).toContain('<!-- fault 2: engine_overheat, on npc-199, from 10 s, ramp 5 s, severity 0.7, for 20 s -->');
  });

  it('is deterministic and draws NPC blueprints in the simulator mix', () => {
    expect(exportXosc(scenarioPresets.highway_cruise)).toBe(exportXosc(scenarioPresets.highway_cruise));
    const bps = npcBlueprints(120, 7);
    const count = (b: string) => bps.filter((x) => x === b).length;
    expect(count('vehicle.tesla.model3')).toBe(30);
    expect(count('vehicle.carlamotors.carlacola')).toBe(10);
  });

  it('escapes <>&"\' in names so the document stays well-formed and valid', () => {
    const nasty = `Tom & Jerry's "<crash>" -- test-`;
    const xml = exportXosc(scenarioSchema.parse({ name: nasty, traffic: { vehicles: 1 } }));
    expect(xml).toContain('description="Tom &amp; Jerry&apos;s &quot;&lt;crash&gt;&quot; -- test-"');
    expect(xml).not.toMatch(/<!--(?:(?!-->)[\s\S])*--(?!>)/); // no "--" inside a comment
    expect(child(parseXml(xml), 'FileHeader')?.attrs.description).toBe(nasty);
    expect(validateWithXmllint({ nasty: xml }).nasty!.code).toBe(0);
  });

  it('built-in maps: ego and placed traffic are LanePositions of the map file, within 0.1 m of their poses', () => {
    for (const id of builtinMapIds) {
      const map = getMap(id);
      const net = readOpenDrive(builtinMapXodr(id)).network;
      // Placed on lanes spread over the map, at several distances along each (curves included).
      const lanes = map.laneList.filter((l) => l.length > 30);
      const placed = [0.1, 0.3, 0.5, 0.7, 0.9].map((f, i) => {
        const lane = lanes[Math.floor(f * lanes.length)]!;
        return { laneId: lane.id, s: Math.round(lane.length * (0.2 + 0.15 * i) * 10) / 10 };
      });
      const egoLane = lanes[Math.floor(lanes.length / 3)]!;
      const s = scenarioSchema.parse({
        name: `placed on ${id}`,
        map: id,
        ego: { spawn: { laneId: egoLane.id, s: egoLane.length / 2 } },
        traffic: { vehicles: placed.length + 2, placed },
      });
      const xml = exportXosc(s);
      expect(validateWithXmllint({ [id]: xml })[id], id).toMatchObject({ code: 0 });
      const root = parseXml(xml);
      expect(find(root, 'LogicFile')[0]!.attrs.filepath).toBe(id);
      const lps = find(root, 'LanePosition');
      // ego + each placed NPC; the two unplaced NPCs stay relative to the ego
      expect(lps).toHaveLength(1 + placed.length);
      expect(find(root, 'RelativeLanePosition')).toHaveLength(2);
      const stored = [{ laneId: s.ego.spawn!.laneId!, s: s.ego.spawn!.s }, ...placed];
      lps.forEach((lp, i) => {
        const want = map.lanes.get(stored[i]!.laneId)!.poly.sample(stored[i]!.s);
        const a = lp.attrs;
        const got = lanePose(net.roadById.get(a.roadId!)!, Number(a.laneId), Number(a.s), Number(a.offset))!;
        expect(Math.hypot(got.x - want.x, got.y - want.y), `${id} position ${i}`).toBeLessThan(0.1);
      });
    }
  });
});
