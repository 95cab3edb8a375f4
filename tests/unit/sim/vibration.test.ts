import { describe, expect, it } from 'vitest';
import { createSimulation } from '~/workers/sim';
import { vibrationRms } from '~/workers/sim/vibration';
import { scenarioPresets } from '~/server/contracts/scenario';

const cruise = { speed: 25, rpm: 2200, engineTemp: 90, tyres: [230, 230, 230, 230] as const, brake: 0, brakeTemp: 80 };

describe('vibration (accelerometer RMS)', () => {
  it('rises with speed and with the faults that shake a car: overheating, a leaking tyre, hot brakes', () => {
    const base = vibrationRms(cruise);
    expect(vibrationRms({ ...cruise, speed: 5 })).toBeLessThan(base);
    expect(vibrationRms({ ...cruise, engineTemp: 112 })).toBeGreaterThan(base + 0.5);
    expect(vibrationRms({ ...cruise, tyres: [230, 230, 170, 230] })).toBeGreaterThan(base + 0.5);
    expect(vibrationRms({ ...cruise, brake: 0.6, brakeTemp: 500 })).toBeGreaterThan(base + 0.3);
  });

  it('travels in every simulated frame, null exactly when the IMU dropped out', () => {
    const sim = createSimulation(
      {
        ...scenarioPresets.highway_cruise,
        seed: 3,
        durationS: 5,
        sensors: { ...scenarioPresets.highway_cruise.sensors, dropoutRate: 0.2 },
      },
      { orgId: 'o', runId: 'r', clock: () => 0 },
    );
    let readings = 0;
    let nulls = 0;
    while (!sim.done)
      for (const f of sim.step().frames) {
        if (f.vibration === null) {
          nulls++;
          expect(f.accel.lon).toBeNull();
        } else {
          readings++;
          expect(f.vibration).toBeGreaterThan(0);
          expect(f.accel.lon).not.toBeNull();
        }
      }
    expect(readings).toBeGreaterThan(0);
    expect(nulls).toBeGreaterThan(0);
  });
});
