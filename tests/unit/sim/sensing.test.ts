import { describe, expect, it } from 'vitest';
import { telemetryFrameSchema } from '~/server/contracts/telemetry';
import { NO_EFFECTS } from '~/workers/sim/faults';
import { BRAKE_PRESSURE_MAX_BAR, senseFrame } from '~/workers/sim/sensing';
import { egoOnRing } from './engine-fixtures';

describe('sensing', () => {
  it('reports the state and the controls being applied, to the telemetry contract', () => {
    const { ego } = egoOnRing();
    ego.act = { throttle: 0, brake: 0.5, steer: -0.2 };
    ego.body.v = 20;
    const f = senseFrame(ego, 3.5, NO_EFFECTS.sensors, 1_700_000_000_000);
    expect(telemetryFrameSchema.safeParse(f).success).toBe(true);
    expect(f).toMatchObject({ orgId: 'org_unit', runId: 'run_unit', vehicleId: 'ego', t: 3.5, ts: 1_700_000_000_000 });
    expect(f.control).toEqual({ throttle: 0, brake: 0.5, steer: -0.2 });
    expect(f.pose.x).toBe(ego.body.x);
    expect(f.brakes.pressure).toBeCloseTo(0.5 * BRAKE_PRESSURE_MAX_BAR, -1);
    expect(f.speed).toBeCloseTo(20, 0);
  });

  it('measures the lane offset from the nearest lane centre, and no lead without a target', () => {
    const { ego } = egoOnRing();
    ego.d = ego.lane.width + 0.4;
    ego.lead = null;
    const f = senseFrame(ego, 0, NO_EFFECTS.sensors, 0);
    expect(f.lane.offset).toBeCloseTo(0.4, 0);
    expect(f.lead).toEqual({ distance: null, ttc: null });
  });

  it('reports the radar target within range', () => {
    const { ego } = egoOnRing();
    ego.lead = { id: 'npc-0', gap: 30, ttc: 4, speed: 10 };
    const f = senseFrame(ego, 0, NO_EFFECTS.sensors, 0);
    expect(f.lead.distance).toBeCloseTo(30, -1);
    expect(f.lead.ttc).toBeCloseTo(4, 0);
  });
});
