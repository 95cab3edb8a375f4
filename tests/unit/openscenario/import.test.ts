import { describe, expect, it } from 'vitest';
import { resolveWeather, scenarioSchema } from '~/server/contracts/scenario';
import { importXosc, XoscImportError } from '~/server/interop/openscenario';
import { readExample } from './helpers';

const load = (name: string) => importXosc(readExample(name));

describe('importXosc: CARLA ScenarioRunner examples', () => {
  it('every example imports into a valid scenario', () => {
    for (const f of [
      'ChangingWeather.xosc',
      'FollowLeadingVehicle.xosc',
      'LaneChangeSimple.xosc',
      'PedestrianCrossingFront.xosc',
    ]) {
      const r = load(f);
      expect(scenarioSchema.safeParse(r.scenario).success, f).toBe(true);
      expect(r.unsupported.length, f).toBeGreaterThan(0); // all four script manoeuvres
    }
  });

  it('ChangingWeather: Town01 → urban_grid, clear noon, later weather change listed', () => {
    const { scenario: s, unsupported, notes } = load('ChangingWeather.xosc');
    expect(s.map).toBe('urban_grid');
    expect(notes.join('\n')).toMatch(/Town01.*urban_grid/);
    expect(s.weather.preset).toBe('ClearNoon');
    // CARLA: cloudiness = 100 − 100 × sun intensity (0.85), elevation 1.31 rad, no rain, clear air
    expect(resolveWeather(s.weather)).toEqual({
      cloudiness: 15,
      precipitation: 0,
      fog: 0,
      wetness: 0,
      sunAltitude: 75.06,
    });
    expect(s.timeOfDay).toBe('12:00');
    expect(s.ego.blueprint).toBe('vehicle.lincoln.mkz_2020');
    expect(s.traffic).toMatchObject({ vehicles: 0, pedestrians: 0 });
    expect(unsupported.some((u) => /Event\[WeatherChangeEvent\]: event with EnvironmentAction/.test(u))).toBe(true);
    expect(unsupported.some((u) => /TimeOfDay: .*animation=true/.test(u))).toBe(true);
    expect(
      unsupported.some((u) =>
        /Private\[hero\]\/PrivateAction\[1\]: ego start LanePosition\(roadId=4, laneId=-1/.test(u),
      ),
    ).toBe(true);
  });

  it('FollowLeadingVehicle: ego + 1 NPC, route length, CARLA criteria and manoeuvres listed', () => {
    const { scenario: s, unsupported } = load('FollowLeadingVehicle.xosc');
    expect(s.map).toBe('urban_grid');
    expect(s.weather.preset).toBe('ClearNoon');
    expect(s.traffic.vehicles).toBe(1);
    expect(s.ego.blueprint).toBe('vehicle.lincoln.mkz_2020');
    expect(s.ego.targetSpeed).toBe(25); // no initial speed in Init: the default stays
    expect(s.ego.route.lengthM).toBe(200);
    expect(s.durationS).toBe(60); // no SimulationTimeCondition stop trigger
    const text = unsupported.join('\n');
    expect(text).toMatch(
      /Event\[LeadingVehicleKeepsVelocity\]: event with SpeedAction, started by RelativeDistanceCondition/,
    );
    expect(text).toMatch(/Private\[adversary\]\/PrivateAction: start RelativeRoadPosition\(entityRef=hero, ds=50/);
    expect(text).toMatch(/Condition\[criteria_CollisionTest\]: CARLA evaluation criterion/);
  });

  it('LaneChangeSimple: Town04 → highway_ring, ego + 2 NPCs, LaneChangeAction listed', () => {
    const { scenario: s, unsupported, notes } = load('LaneChangeSimple.xosc');
    expect(s.map).toBe('highway_ring');
    expect(notes.join('\n')).not.toMatch(/approximated/);
    expect(s.ego.blueprint).toBe('vehicle.tesla.model3');
    expect(s.traffic.vehicles).toBe(2);
    expect(s.weather.preset).toBe('ClearNoon');
    const text = unsupported.join('\n');
    expect(text).toMatch(
      /Maneuver\[LaneChangeSimpleManeuver\]\/Event\[AdversaryChangesLane\]: event with LaneChangeAction/,
    );
    expect(text).toMatch(/Private\[hero\]\/PrivateAction\[1\]: ego start WorldPosition\(x=-9.4, y=-152.8/);
    expect(text).toMatch(/Private\[standing\]\/PrivateAction: start WorldPosition\(x=-8.2, y=29.2/);
  });

  it('PedestrianCrossingFront: a pedestrian, light rain, van ego approximated', () => {
    const { scenario: s, unsupported, notes } = load('PedestrianCrossingFront.xosc');
    expect(s.map).toBe('urban_grid');
    expect(s.traffic).toMatchObject({ vehicles: 0, pedestrians: 1 });
    expect(s.weather.preset).toBe('SoftRainNoon');
    expect(resolveWeather(s.weather)).toEqual({
      cloudiness: 65,
      precipitation: 20,
      fog: 0,
      wetness: 20,
      sunAltitude: 75.06,
    });
    expect(s.ego.blueprint).toBe('vehicle.nissan.patrol_2021');
    expect(notes.join('\n')).toMatch(/vehicle\.volkswagen\.t2/);
    const text = unsupported.join('\n');
    expect(text).toMatch(/Event\[PedestrianStartsWalking\]: event with SpeedAction, started by ReachPositionCondition/);
    expect(text).toMatch(/Private\[adversary\]\/PrivateAction: start WorldPosition\(x=110, y=52.*pedestrian/);
  });
});

describe('importXosc: speeds, positions, durations and the never-drop rule', () => {
  const doc = (init: string, story = '', stop = '') => `<?xml version="1.0"?>
<OpenSCENARIO>
  <FileHeader revMajor="1" revMinor="0" date="2020-01-01T00:00:00" description="t" author=""/>
  <ParameterDeclarations><ParameterDeclaration name="egoSpeed" parameterType="double" value="17.5"/></ParameterDeclarations>
  <CatalogLocations/>
  <RoadNetwork><LogicFile filepath="/Game/Carla/Maps/Town07_Opt"/></RoadNetwork>
  <Entities>
    <ScenarioObject name="hero"><Vehicle name="vehicle.audi.a2" vehicleCategory="car"><Properties><Property name="type" value="ego_vehicle"/></Properties></Vehicle></ScenarioObject>
    <ScenarioObject name="other"><Vehicle name="vehicle.tesla.model3" vehicleCategory="car"><Properties/></Vehicle></ScenarioObject>
    <ScenarioObject name="cone"><MiscObject name="static.prop.cone" miscObjectCategory="obstacle" mass="1"/></ScenarioObject>
  </Entities>
  <Storyboard>
    <Init><Actions>${init}</Actions></Init>
    <Story name="s"><Act name="a"><ManeuverGroup maximumExecutionCount="1" name="g"><Actors selectTriggeringEntities="false"/>${story}</ManeuverGroup>
      <StartTrigger><ConditionGroup><Condition name="c" delay="0" conditionEdge="rising"><ByValueCondition><SimulationTimeCondition value="0" rule="greaterThan"/></ByValueCondition></Condition></ConditionGroup></StartTrigger></Act></Story>
    <StopTrigger>${stop}</StopTrigger>
  </Storyboard>
</OpenSCENARIO>`;
  const speed = (v: string) =>
    `<PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics dynamicsShape="step" value="0" dynamicsDimension="time"/><SpeedActionTarget><AbsoluteTargetSpeed value="${v}"/></SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction>`;

  it('reads initial speeds (through $parameters), the duration, and lists what it cannot keep', () => {
    const r = importXosc(
      doc(
        `<Private entityRef="hero">${speed('$egoSpeed')}<PrivateAction><LateralAction><LaneChangeAction><LaneChangeActionDynamics dynamicsShape="linear" value="2" dynamicsDimension="time"/><LaneChangeTarget><RelativeTargetLane entityRef="hero" value="1"/></LaneChangeTarget></LaneChangeAction></LateralAction></PrivateAction></Private>
         <Private entityRef="other">${speed('8')}</Private>`,
        '',
        `<ConditionGroup><Condition name="end" delay="0" conditionEdge="rising"><ByValueCondition><SimulationTimeCondition value="45" rule="greaterThan"/></ByValueCondition></Condition></ConditionGroup>`,
      ),
    );
    expect(r.scenario.map).toBe('rural_hills');
    expect(r.scenario.ego).toMatchObject({ blueprint: 'vehicle.audi.a2', targetSpeed: 17.5 });
    expect(r.scenario.traffic.vehicles).toBe(1);
    expect(r.scenario.durationS).toBe(45);
    const text = r.unsupported.join('\n');
    expect(text).toMatch(/Private\[hero\]\/PrivateAction\[2\]: LaneChangeAction/);
    expect(text).toMatch(/Private\[other\]\/PrivateAction: initial speed 8 m\/s of traffic vehicle "other"/);
    expect(text).toMatch(/ScenarioObject\[cone\]: entity of kind MiscObject/);
    expect(r.notes.join('\n')).toMatch(/No EnvironmentAction/);
  });

  it('unknown towns fall back to a default map with a note', () => {
    const r = importXosc(doc('').replace('/Game/Carla/Maps/Town07_Opt', 'maps/my_test_track.xodr'));
    expect(r.scenario.map).toBe(scenarioSchema.parse({}).map);
    expect(r.notes.join('\n')).toMatch(/my_test_track\.xodr.*not a CARLA town/);
  });

  it('rejects documents that are not OpenSCENARIO scenarios', () => {
    expect(() => importXosc('<Foo/>')).toThrow(XoscImportError);
    expect(() => importXosc('<OpenSCENARIO><FileHeader')).toThrow(/XML parse error/);
  });
});
