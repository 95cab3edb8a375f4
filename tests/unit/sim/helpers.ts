import type { SimEvent } from '~/server/contracts/events';
import type { ScenarioInput } from '~/server/contracts/scenario';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import { createSimulation, type Simulation, type VehicleTruth } from '~/workers/sim';

export interface Recorded {
  frames: TelemetryFrame[];
  events: SimEvent[];
  truth: VehicleTruth[][];
  sim: Simulation;
}

/** Runs a scenario to the end with a fixed wall clock; keeps every frame and event. */
export function record(scenario: ScenarioInput, opts: { truth?: boolean } = {}): Recorded {
  const sim = createSimulation(scenario, { orgId: 'org_sim', runId: 'run_sim', clock: () => 1_700_000_000_000 });
  const frames: TelemetryFrame[] = [];
  const events: SimEvent[] = [];
  const truth: VehicleTruth[][] = [];
  while (!sim.done) {
    const r = sim.step();
    frames.push(...r.frames);
    events.push(...r.events);
    if (opts.truth) truth.push(sim.truth());
  }
  return { frames, events, truth, sim };
}

export function egoFrames(frames: TelemetryFrame[], from = 0, to = Infinity): TelemetryFrame[] {
  return frames.filter((f) => f.vehicleId === 'ego' && f.t >= from && f.t < to);
}

export function mean(xs: number[]): number {
  if (xs.length === 0) throw new Error('mean of nothing');
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
