import { describe, expect, it } from 'vitest';
import { blueprintParams } from '~/server/scenarios/blueprints';
import { driverProfilesParams, idmAccel } from '~/workers/sim/driver';
import { LongitudinalController, NOMINAL_CONTEXT, stepBody, type Body } from '~/workers/sim/dynamics';
import { getMap } from '~/server/maps';
import { record } from './helpers';

function body(v: number): Body {
  return { x: 0, y: 0, z: 0, yaw: 0, v, accel: 0, latAccel: 0, yawRate: 0, gear: 4, rpm: 2000 };
}

/** Brakes from v0 with the pedal controller asking for a constant deceleration; returns metres. */
function stoppingDistance(blueprint: keyof typeof blueprintParams, v0: number, decel: number, grade = 0): number {
  const p = blueprintParams[blueprint];
  const b = body(v0);
  const ctrl = new LongitudinalController();
  const ctx = { ...NOMINAL_CONTEXT, grade };
  const dt = 0.01;
  for (let i = 0; i < 10_000 && b.v > 0; i++) {
    const pedals = ctrl.command(p, b, -decel, ctx, dt);
    stepBody(p, b, { ...pedals, steer: 0 }, ctx, dt);
  }
  expect(b.v).toBe(0);
  return b.x;
}

describe('longitudinal dynamics', () => {
  it.each([
    ['vehicle.tesla.model3', 6],
    ['vehicle.lincoln.mkz_2020', 4],
    ['vehicle.carlamotors.carlacola', 3],
  ] as const)('%s stops from 20 m/s at %d m/s² within 5%% of v²/2a', (bp, a) => {
    const theory = (20 * 20) / (2 * a);
    const d = stoppingDistance(bp, 20, a);
    expect(Math.abs(d - theory) / theory).toBeLessThan(0.05);
  });

  it('holds the asked deceleration on a 7% descent too (grade is in the force balance)', () => {
    const theory = (20 * 20) / (2 * 4);
    expect(Math.abs(stoppingDistance('vehicle.lincoln.mkz_2020', 20, 4, -0.07) - theory) / theory).toBeLessThan(0.05);
  });

  it('coasting: drag and rolling resistance slow the car, a climb slows it more', () => {
    const p = blueprintParams['vehicle.lincoln.mkz_2020'];
    const flat = body(30);
    const up = body(30);
    for (let i = 0; i < 500; i++) {
      stepBody(p, flat, { throttle: 0, brake: 0, steer: 0 }, NOMINAL_CONTEXT, 0.02);
      stepBody(p, up, { throttle: 0, brake: 0, steer: 0 }, { ...NOMINAL_CONTEXT, grade: 0.06 }, 0.02);
    }
    expect(flat.v).toBeLessThan(30);
    expect(flat.v).toBeGreaterThan(25);
    expect(up.v).toBeLessThan(flat.v - 4);
  });

  it('full throttle accelerates through the gears and the rpm stays below the redline', () => {
    const p = blueprintParams['vehicle.lincoln.mkz_2020'];
    const b = body(0);
    b.gear = 1;
    let maxRpm = 0;
    for (let i = 0; i < 500; i++) {
      stepBody(p, b, { throttle: 1, brake: 0, steer: 0 }, NOMINAL_CONTEXT, 0.02);
      maxRpm = Math.max(maxRpm, b.rpm);
    }
    // 0-100 km/h in well under 10 s for a 180 kW sedan.
    expect(b.v).toBeGreaterThan(27.8);
    expect(b.gear).toBeGreaterThan(2);
    expect(maxRpm).toBeLessThanOrEqual(p.redlineRpm);
  });

  it('bicycle model: constant steering gives a circle of radius wheelbase / tan(delta)', () => {
    const p = blueprintParams['vehicle.tesla.model3'];
    const b = body(8);
    const ctrl = new LongitudinalController();
    let minX = Infinity;
    let maxX = -Infinity;
    for (let i = 0; i < 3000; i++) {
      const pedals = ctrl.command(p, b, 0, NOMINAL_CONTEXT, 0.01);
      stepBody(p, b, { ...pedals, steer: 0.3 }, NOMINAL_CONTEXT, 0.01);
      minX = Math.min(minX, b.x);
      maxX = Math.max(maxX, b.x);
    }
    const delta = 0.3 * p.maxSteer;
    const k = Math.tan(delta) / p.wheelbase;
    const radius = 1 / (k * Math.cos(Math.atan(0.5 * p.wheelbase * k)));
    expect(Math.abs((maxX - minX) / 2 - radius) / radius).toBeLessThan(0.03);
  });
});

describe('IDM car following', () => {
  it('settles at the equilibrium gap s0 + vT behind a steady leader', () => {
    const d = driverProfilesParams.normal;
    let gap = 60;
    let v = 25;
    const vLead = 20;
    for (let i = 0; i < 6000; i++) {
      const a = idmAccel(d, v, 30, gap, vLead);
      v = Math.max(0, v + a * 0.02);
      gap += (vLead - v) * 0.02;
    }
    expect(v).toBeCloseTo(vLead, 1);
    // With v0 = 30 the equilibrium gap is (s0 + vT) / sqrt(1 - (v/v0)^4).
    const eq = (d.s0 + vLead * d.T) / Math.sqrt(1 - Math.pow(vLead / 30, 4));
    expect(Math.abs(gap - eq) / eq).toBeLessThan(0.02);
  });

  it('plain following on the highway: traffic keeps gaps and never collides', () => {
    const r = record(
      {
        map: 'highway_ring',
        durationS: 90,
        seed: 7,
        ego: { targetSpeed: 28 },
        traffic: { vehicles: 24, aggressiveness: 0.3 },
        sensors: { rateHz: 10 },
      },
      { truth: true },
    );
    expect(r.events.filter((e) => e.type === 'collision')).toEqual([]);
    expect(r.sim.kpis().fleet.collisions).toBe(0);
    // Bumper gaps between consecutive vehicles of a lane stay positive throughout.
    const map = getMap('highway_ring');
    let minGap = Infinity;
    let pairs = 0;
    for (const snap of r.truth) {
      const byLane = new Map<string, typeof snap>();
      for (const v of snap) byLane.set(v.laneId, [...(byLane.get(v.laneId) ?? []), v]);
      for (const [laneId, vs] of byLane) {
        if (map.lanes.get(laneId)?.kind !== 'road') continue;
        vs.sort((a, b) => a.s - b.s);
        for (let i = 1; i < vs.length; i++) {
          minGap = Math.min(minGap, vs[i]!.s - vs[i - 1]!.s - 5.3);
          pairs++;
        }
      }
    }
    expect(pairs).toBeGreaterThan(1000);
    expect(minGap).toBeGreaterThan(0);
    // Traffic actually moved: everyone covered ground.
    const last = r.truth.at(-1)!;
    expect(last.filter((v) => v.v > 10).length).toBeGreaterThan(20);
  });

  it('urban traffic stops for red lights: compliant drivers commit no violations', () => {
    const r = record({
      map: 'urban_grid',
      durationS: 90,
      seed: 3,
      ego: { driver: 'calm', targetSpeed: 13 },
      traffic: { vehicles: 20, aggressiveness: 0 },
    });
    expect(r.events.filter((e) => e.type === 'red_light_violation')).toEqual([]);
    // ...and they do stop and go again: speeds span standstill to cruising.
    const ego = r.frames.filter((f) => f.vehicleId === 'ego').map((f) => f.speed ?? 0);
    expect(Math.min(...ego)).toBeLessThan(0.5);
    expect(Math.max(...ego)).toBeGreaterThan(10);
  });
});
