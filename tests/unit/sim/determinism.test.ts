import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { simEventSchema } from '~/server/contracts/events';
import { scenarioPresets, type ScenarioInput } from '~/server/contracts/scenario';
import { telemetryFrameSchema } from '~/server/contracts/telemetry';
import { record } from './helpers';

const scenario: ScenarioInput = {
  map: 'urban_grid',
  durationS: 20,
  seed: 42,
  ego: { targetSpeed: 13, driver: 'aggressive' },
  traffic: { vehicles: 12, pedestrians: 12, aggressiveness: 0.7 },
  sensors: { rateHz: 20, dropoutRate: 0.05 },
  faults: [{ type: 'gnss_drift', startS: 5, rampS: 2, severity: 0.8 }],
};

function streamHash(s: ScenarioInput): { hash: string; frames: number } {
  const r = record(s);
  const h = createHash('sha256');
  for (const f of r.frames) h.update(JSON.stringify(f));
  for (const e of r.events) h.update(JSON.stringify(e));
  return { hash: h.digest('hex'), frames: r.frames.length };
}

describe('determinism', () => {
  it('the same scenario and seed give an identical stream; another seed does not', () => {
    const a = streamHash(scenario);
    const b = streamHash(scenario);
    const c = streamHash({ ...scenario, seed: 43 });
    expect(a.frames).toBe(13 * 20 * 20);
    expect(b.hash).toBe(a.hash);
    expect(c.hash).not.toBe(a.hash);
  });
});

describe('telemetry and events match their contracts', () => {
  for (const [id, preset] of Object.entries(scenarioPresets)) {
    it(`preset ${id}: every frame and event validates`, () => {
      const r = record({ ...preset, durationS: 12, faults: preset.faults.map((f) => ({ ...f, startS: 2, rampS: 1 })) });
      const vehicles = 1 + preset.traffic.vehicles;
      expect(r.frames).toHaveLength(vehicles * 12 * preset.sensors.rateHz);
      for (const f of r.frames) {
        const p = telemetryFrameSchema.safeParse(f);
        if (!p.success) throw new Error(`frame ${f.vehicleId}#${f.seq}: ${p.error.message}`);
      }
      for (const e of r.events) {
        const p = simEventSchema.safeParse(e);
        if (!p.success) throw new Error(`event ${e.type}: ${p.error.message}`);
      }
      expect(r.events[0]?.type).toBe('run_started');
      expect(r.events.at(-1)?.type).toBe('run_finished');
      // Per-vehicle sequence numbers are gapless from 0.
      const ego = r.frames.filter((f) => f.vehicleId === 'ego').map((f) => f.seq);
      expect(ego).toEqual([...ego.keys()]);
    });
  }

  it('configured dropouts arrive as nulls, at about the configured rate', () => {
    const r = record({ map: 'highway_ring', durationS: 20, traffic: { vehicles: 4 }, sensors: { dropoutRate: 0.2 } });
    const speedNull = r.frames.filter((f) => f.speed === null).length / r.frames.length;
    const gnssNull = r.frames.filter((f) => f.gnss.lat === null).length / r.frames.length;
    expect(speedNull).toBeGreaterThan(0.15);
    expect(speedNull).toBeLessThan(0.25);
    expect(gnssNull).toBeGreaterThan(0.15);
    const none = record({ map: 'highway_ring', durationS: 5, traffic: { vehicles: 4 }, sensors: { dropoutRate: 0 } });
    expect(none.frames.every((f) => f.speed !== null && f.gnss.lat !== null && f.accel.lon !== null)).toBe(true);
  });
});
