import type { RunKpis, RunStatus } from '~/server/contracts/run-status';
import type { SimEvent } from '~/server/contracts/events';
import type { SimCommand, SimStartCommand } from '~/server/contracts/sim-commands';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import type { RoadMap } from '~/server/maps/road-network';
import { createSimulation, type Simulation } from './simulation';

/** Where a run's output goes: Kafka in the worker, arrays in tests. */
export interface RunPublisher {
  publish(batch: { frames: TelemetryFrame[]; events: SimEvent[]; status?: RunStatus }): Promise<void>;
}

export interface RunManagerOptions {
  publisher: RunPublisher;
  maxConcurrent: number;
  /** How often a running run reports its status (its heartbeat), in wall milliseconds. */
  statusEveryMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onError?: (runId: string, err: unknown) => void;
  /** Loads the OpenDRIVE map a scenario names (scenario.roadNetwork); absent: such runs fail. */
  loadNetwork?: (orgId: string, ref: NonNullable<SimStartCommand['scenario']['roadNetwork']>) => Promise<RoadMap>;
}

interface ActiveRun {
  cmd: SimStartCommand;
  cancelled: boolean;
  shutdown: boolean;
  done: Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/**
 * Runs simulations for start commands, at most maxConcurrent at once (the rest wait in order),
 * paced to real time × timeFactor or as fast as possible. A cancel stops its run within one
 * batch (well under a second); a shutdown fails the runs in hand so they can be re-run.
 */
export class RunManager {
  private readonly active = new Map<string, ActiveRun>();
  private readonly waiting: SimStartCommand[] = [];
  private readonly cancelledEarly = new Set<string>();
  private readonly statusEveryMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: RunManagerOptions) {
    this.statusEveryMs = opts.statusEveryMs ?? 500;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? defaultSleep;
  }

  get running(): number {
    return this.active.size;
  }

  get queued(): number {
    return this.waiting.length;
  }

  handle(cmd: SimCommand): void {
    if (cmd.type === 'cancel') return this.cancel(cmd.runId, cmd.orgId);
    if (this.active.has(cmd.runId) || this.waiting.some((w) => w.runId === cmd.runId)) return;
    if (this.cancelledEarly.delete(cmd.runId)) return;
    this.waiting.push(cmd);
    this.pump();
  }

  private cancel(runId: string, orgId: string): void {
    const run = this.active.get(runId);
    if (run) {
      if (run.cmd.orgId === orgId) run.cancelled = true;
      return;
    }
    const i = this.waiting.findIndex((w) => w.runId === runId && w.orgId === orgId);
    if (i >= 0) {
      const [cmd] = this.waiting.splice(i, 1);
      void this.opts.publisher
        .publish({ frames: [], events: [], status: this.status(cmd!, 'cancelled', 0, 0, 0) })
        .catch((err: unknown) => this.opts.onError?.(runId, err));
      return;
    }
    // The cancel overtook a start this worker has not seen (another partition owner had it).
    this.cancelledEarly.add(runId);
  }

  /** Fails every run in hand (worker shutting down) and waits until each has reported it. */
  async shutdown(): Promise<void> {
    for (const cmd of this.waiting.splice(0)) {
      await this.opts.publisher.publish({
        frames: [],
        events: [],
        status: {
          ...this.status(cmd, 'failed', 0, 0, 0),
          error: 'The simulator worker shut down before the run started; start it again.',
        },
      });
    }
    for (const run of this.active.values()) run.shutdown = true;
    await Promise.all([...this.active.values()].map((r) => r.done));
  }

  private pump(): void {
    while (this.active.size < this.opts.maxConcurrent && this.waiting.length > 0) {
      const cmd = this.waiting.shift()!;
      const run: ActiveRun = { cmd, cancelled: false, shutdown: false, done: Promise.resolve() };
      this.active.set(cmd.runId, run);
      run.done = this.execute(run)
        .catch((err: unknown) => this.opts.onError?.(cmd.runId, err))
        .finally(() => {
          this.active.delete(cmd.runId);
          this.pump();
        });
    }
  }

  private status(
    cmd: SimStartCommand,
    state: RunStatus['state'],
    progress: number,
    simTime: number,
    rtf: number,
    kpis?: RunKpis,
  ): RunStatus {
    return {
      v: 1,
      orgId: cmd.orgId,
      runId: cmd.runId,
      state,
      progress,
      simTime,
      realTimeFactor: rtf,
      ...(kpis ? { kpis } : {}),
      ts: this.now(),
    };
  }

  private async execute(run: ActiveRun): Promise<void> {
    const { cmd } = run;
    let sim: Simulation;
    try {
      const ref = cmd.scenario.roadNetwork;
      let network: RoadMap | undefined;
      if (ref) {
        if (!this.opts.loadNetwork) throw new Error('this worker cannot load organisation maps');
        network = await this.opts.loadNetwork(cmd.orgId, ref);
      }
      sim = createSimulation(cmd.scenario, {
        orgId: cmd.orgId,
        runId: cmd.runId,
        clock: this.now,
        ...(network ? { network } : {}),
      });
    } catch (err) {
      await this.opts.publisher.publish({
        frames: [],
        events: [],
        status: {
          ...this.status(cmd, 'failed', 0, 0, 0),
          error: `Scenario could not be loaded: ${(err as Error).message}`,
        },
      });
      return;
    }
    const factor = cmd.scenario.timeFactor;
    const started = this.now();
    let lastStatus = 0;
    const rtf = () => sim.t / Math.max(0.001, (this.now() - started) / 1000);
    await this.opts.publisher.publish({ frames: [], events: [], status: this.status(cmd, 'running', 0, 0, 0) });
    try {
      while (!sim.done && !run.cancelled && !run.shutdown) {
        const frames: TelemetryFrame[] = [];
        const events: SimEvent[] = [];
        // Real time: catch up to the wall clock. As fast as possible: one simulated second per batch.
        const targetT = factor === 'max' ? sim.t + 1 : ((this.now() - started) / 1000) * factor;
        let steps = 0;
        do {
          const r = sim.step();
          for (const f of r.frames) frames.push(f);
          for (const e of r.events) events.push(e);
          steps++;
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- step() changes sim.done
        } while (!sim.done && sim.t < targetT && steps < 200);
        const due = this.now() - lastStatus >= this.statusEveryMs;
        if (due) lastStatus = this.now();
        await this.opts.publisher.publish({
          frames,
          events,
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- step() changes sim.done
          ...(due && !sim.done ? { status: this.status(cmd, 'running', sim.progress, sim.t, rtf()) } : {}),
        });
        if (factor === 'max') await yieldToLoop();
        else {
          const wait = started + (sim.t / factor) * 1000 - this.now();
          if (wait > 0) await this.sleep(Math.min(wait, 250));
        }
      }
    } catch (err) {
      const end = sim.stop('failed');
      await this.opts.publisher.publish({
        frames: end.frames,
        events: end.events,
        status: {
          ...this.status(cmd, 'failed', sim.progress, sim.t, rtf(), sim.kpis()),
          error: `Simulation failed: ${(err as Error).message}`,
        },
      });
      return;
    }
    if (run.cancelled || run.shutdown) {
      const end = sim.stop(run.cancelled ? 'cancelled' : 'failed');
      const status = this.status(cmd, run.cancelled ? 'cancelled' : 'failed', sim.progress, sim.t, rtf(), sim.kpis());
      await this.opts.publisher.publish({
        frames: end.frames,
        events: end.events,
        status: run.cancelled
          ? status
          : { ...status, error: 'The simulator worker shut down during the run; start it again.' },
      });
      return;
    }
    await this.opts.publisher.publish({
      frames: [],
      events: [],
      status: this.status(cmd, 'completed', 1, sim.t, rtf(), sim.kpis()),
    });
  }
}
