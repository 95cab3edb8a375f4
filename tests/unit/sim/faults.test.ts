import { describe, expect, it } from 'vitest';
import type { FaultType, ScenarioInput } from '~/server/contracts/scenario';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import { egoFrames, mean, record, type Recorded } from './helpers';

const START = 10;

function run(type: FaultType | null, base: Partial<ScenarioInput> = {}, fault: Record<string, unknown> = {}): Recorded {
  return record({
    map: 'highway_ring',
    durationS: 60,
    seed: 11,
    ego: { blueprint: 'vehicle.lincoln.mkz_2020', targetSpeed: 27 },
    traffic: { vehicles: 3, aggressiveness: 0.2 },
    ...base,
    faults: type ? [{ type, vehicle: 'ego', startS: START, rampS: 5, severity: 0.9, ...fault }] : [],
  });
}

function values(frames: TelemetryFrame[], pick: (f: TelemetryFrame) => number | null): number[] {
  return frames.map(pick).filter((x): x is number => x !== null);
}

/** Ground truth: exactly one fault_start at the onset and one fault_end, for the ego. */
function expectGroundTruth(r: Recorded, type: FaultType, endT: number, severity = 0.9) {
  const starts = r.events.filter((e) => e.type === 'fault_start');
  const ends = r.events.filter((e) => e.type === 'fault_end');
  expect(starts).toHaveLength(1);
  expect(ends).toHaveLength(1);
  expect(starts[0]).toMatchObject({ vehicleId: 'ego', data: { faultType: type, faultIndex: 0, severity } });
  expect(starts[0]!.t).toBeCloseTo(START, 5);
  expect(ends[0]).toMatchObject({ vehicleId: 'ego', data: { faultType: type } });
  expect(ends[0]!.t).toBeCloseTo(endT, 5);
  // Telemetry never carries the label.
  expect(JSON.stringify(r.frames.slice(0, 50))).not.toContain(type);
}

describe('fault signatures', () => {
  it('brake fade: more brake pressure for the same job on a long descent', () => {
    const scenario: Partial<ScenarioInput> = {
      map: 'rural_hills',
      durationS: 90,
      ego: { blueprint: 'vehicle.carlamotors.carlacola', spawn: { laneId: 'rural:descent', s: 0 }, targetSpeed: 20 },
      traffic: { vehicles: 0 },
    };
    const healthy = run(null, scenario);
    const faded = run('brake_fade', scenario, { rampS: 10 });
    expectGroundTruth(faded, 'brake_fade', 90);
    const window = (r: Recorded) => values(egoFrames(r.frames, 40, 85), (f) => f.brakes.pressure);
    // Holding speed downhill: the faded brakes need clearly more pressure.
    expect(mean(window(healthy))).toBeGreaterThan(3);
    expect(mean(window(faded))).toBeGreaterThan(1.4 * mean(window(healthy)));
    // Both trucks still hold about the same speed (the driver compensates): the cause is the brake.
    const speed = (r: Recorded) => mean(values(egoFrames(r.frames, 40, 85), (f) => f.speed));
    expect(Math.abs(speed(faded) - speed(healthy))).toBeLessThan(1.5);
    // Ground truth physics: the discs run hotter relative to what they deliver.
    const truthEff = faded.sim.truth()[0]!.brakeEffectiveness;
    expect(truthEff).toBeLessThan(0.7);
  });

  it('engine overheat: coolant temperature climbs past its regulated level', () => {
    const healthy = run(null);
    const hot = run('engine_overheat');
    expectGroundTruth(hot, 'engine_overheat', 60);
    const temp = (r: Recorded, a: number, b: number) =>
      mean(values(egoFrames(r.frames, a, b), (f) => f.powertrain.engineTemp));
    expect(Math.abs(temp(healthy, 50, 60) - temp(healthy, 0, START))).toBeLessThan(3);
    expect(temp(hot, 50, 60) - temp(hot, 0, START)).toBeGreaterThan(12);
  });

  it('slow tyre leak: one tyre loses pressure, the others do not', () => {
    const healthy = run(null);
    const leak = run('tire_leak');
    expectGroundTruth(leak, 'tire_leak', 60);
    const tyre = (r: Recorded, i: number, a: number, b: number) =>
      mean(values(egoFrames(r.frames, a, b), (f) => f.tires.pressure[i] ?? null));
    const drops = [0, 1, 2, 3].map((i) => 1 - tyre(leak, i, 55, 60) / tyre(leak, i, 0, START));
    const leaking = drops.filter((d) => d > 0.2);
    expect(leaking).toHaveLength(1);
    expect(drops.filter((d) => Math.abs(d) < 0.05)).toHaveLength(3);
    for (let i = 0; i < 4; i++)
      expect(Math.abs(1 - tyre(healthy, i, 55, 60) / tyre(healthy, i, 0, START))).toBeLessThan(0.05);
  });

  it('battery thermal runaway onset: battery temperature rises faster and faster', () => {
    const ev = { ego: { blueprint: 'vehicle.tesla.model3' as const, targetSpeed: 27 } };
    const healthy = run(null, ev);
    const runaway = run('battery_thermal_runaway', ev, { rampS: 2 });
    expectGroundTruth(runaway, 'battery_thermal_runaway', 60);
    const temp = (r: Recorded, a: number, b: number) =>
      mean(values(egoFrames(r.frames, a, b), (f) => f.powertrain.batteryTemp));
    const rise1 = temp(runaway, 30, 35) - temp(runaway, 15, 20);
    const rise2 = temp(runaway, 50, 55) - temp(runaway, 35, 40);
    expect(rise1).toBeGreaterThan(1);
    expect(rise2).toBeGreaterThan(1.5 * rise1);
    expect(Math.abs(temp(healthy, 50, 55) - temp(healthy, 15, 20))).toBeLessThan(1);
  });

  it('sensor dropout: the chosen channel reads null during the fault, and only then', () => {
    const r = run('sensor_dropout', {}, { sensor: 'lane', durationS: 20, rampS: 0, severity: 1 });
    expectGroundTruth(r, 'sensor_dropout', START + 20, 1);
    const during = egoFrames(r.frames, START, START + 20);
    expect(during.length).toBe(20 * 20);
    expect(during.every((f) => f.lane.offset === null)).toBe(true);
    expect(during.every((f) => f.speed !== null && f.gnss.lat !== null && f.accel.lon !== null)).toBe(true);
    expect(egoFrames(r.frames, 0, START).every((f) => f.lane.offset !== null)).toBe(true);
    expect(egoFrames(r.frames, START + 20).every((f) => f.lane.offset !== null)).toBe(true);
    // A partial severity loses about that share of readings (after the ramp).
    const half = run('sensor_dropout', {}, { sensor: 'imu', rampS: 0, severity: 0.5 });
    const lostShare =
      egoFrames(half.frames, START).filter((f) => f.accel.lon === null && f.yawRate === null).length /
      egoFrames(half.frames, START).length;
    expect(lostShare).toBeGreaterThan(0.4);
    expect(lostShare).toBeLessThan(0.6);
    // The default channel is GNSS.
    const g = run('sensor_dropout', {}, { severity: 1, rampS: 0 });
    expect(
      egoFrames(g.frames, START).every((f) => f.gnss.lat === null && f.gnss.lon === null && f.gnss.alt === null),
    ).toBe(true);
    expect(egoFrames(g.frames, 0, START).every((f) => f.gnss.lat !== null)).toBe(true);
  });

  it('sensor stuck: the reading freezes while the truth keeps changing', () => {
    const r = run('sensor_stuck', {}, { sensor: 'speed', durationS: 30 });
    expectGroundTruth(r, 'sensor_stuck', START + 30);
    const stuck = values(egoFrames(r.frames, START, START + 30), (f) => f.speed);
    expect(new Set(stuck).size).toBe(1);
    const before = values(egoFrames(r.frames, 0, START), (f) => f.speed);
    const after = values(egoFrames(r.frames, START + 31), (f) => f.speed);
    expect(new Set(before).size).toBeGreaterThan(100);
    expect(new Set(after).size).toBeGreaterThan(100);
  });

  it('GNSS drift: the fix walks away from the true position', () => {
    const healthy = run(null);
    const drift = run('gnss_drift');
    expectGroundTruth(drift, 'gnss_drift', 60);
    const error = (r: Recorded, a: number, b: number) => {
      const fs = egoFrames(r.frames, a, b).filter((f) => f.gnss.lat !== null);
      const lat0 = 52.52;
      const lon0 = 13.405;
      return mean(
        fs.map((f) =>
          Math.hypot(
            (f.gnss.lat! - lat0) * 111_320 - f.pose.y,
            (f.gnss.lon! - lon0) * 111_320 * Math.cos((lat0 * Math.PI) / 180) - f.pose.x,
          ),
        ),
      );
    };
    expect(error(healthy, 50, 60)).toBeLessThan(3);
    expect(error(drift, 0, START)).toBeLessThan(3);
    expect(error(drift, 50, 60)).toBeGreaterThan(15);
    expect(error(drift, 50, 60)).toBeGreaterThan(error(drift, 30, 40));
  });

  it('a fault on an NPC is reported for that NPC only', () => {
    const r = record({
      map: 'highway_ring',
      durationS: 30,
      traffic: { vehicles: 4 },
      faults: [{ type: 'tire_leak', vehicle: 2, startS: 5, rampS: 1, severity: 1 }],
    });
    const start = r.events.find((e) => e.type === 'fault_start');
    expect(start?.vehicleId).toBe('npc-2');
    const p = (id: string, a: number) =>
      mean(
        r.frames
          .filter((f) => f.vehicleId === id && f.t >= a)
          .map((f) => Math.min(...f.tires.pressure.map((x) => x ?? Infinity))),
      );
    expect(p('npc-2', 25)).toBeLessThan(0.8 * p('npc-1', 25));
    expect(Math.abs(p('ego', 25) - p('ego', 0))).toBeLessThan(10);
  });
});
