import { describe, expect, it } from 'vitest';
import { scenarioPresets, scenarioSchema, type Scenario } from '~/server/contracts/scenario';
import { exportXosc } from '~/server/interop/openscenario';
import { npcBlueprints } from '~/server/interop/openscenario/export-xosc';
import { child, childrenNamed, descend, parseXml } from '~/server/xml/parse';
import { validateWithXmllint } from './helpers';

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
    expect(descend(doc, 'RoadNetwork', 'LogicFile')?.attrs.filepath).toBe('Town10HD');
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
    expect(xml).toContain('description="CARLA:Tom &amp; Jerry&apos;s &quot;&lt;crash&gt;&quot; -- test-"');
    expect(xml).not.toMatch(/<!--(?:(?!-->)[\s\S])*--(?!>)/); // no "--" inside a comment
    expect(child(parseXml(xml), 'FileHeader')?.attrs.description).toBe(`CARLA:${nasty}`);
    expect(validateWithXmllint({ nasty: xml }).nasty!.code).toBe(0);
  });
});
