import type { PrismaClient } from '@prisma/client';
import { z } from 'zod';
import { childLogger } from '../observability/logger';
import { seededRandom } from '../random';

const log = childLogger('drift.serving');

/**
 * Serving-side drift windows. Every process that scores (the inference worker's stream and OIP
 * endpoint, the web's predict API) summarises what it served per model version: a uniform
 * reservoir sample of the rows and their predictions (bounded, so a window costs the same at 10
 * or 10 million rows), and exact per-feature counts, sums and ranges. A window closes on time
 * (aligned to the epoch, so windows of all copies and sources cover the same span and are
 * checked together) or on a row count, as the model says; closed windows go to Postgres, where
 * the drift job (job.ts) compares them with the version's reference.
 */
export const driftWindowConfigSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('time'),
    seconds: z
      .number()
      .int()
      .min(10)
      .max(7 * 86_400),
  }),
  z.object({ kind: z.literal('count'), rows: z.number().int().min(50).max(10_000_000) }),
]);
export type DriftWindowConfig = z.infer<typeof driftWindowConfigSchema>;

/** Five minutes: short enough to see a shift the same hour, long enough for a stable sample. */
export const DEFAULT_DRIFT_WINDOW: DriftWindowConfig = { kind: 'time', seconds: 300 };
/** Rows kept per window (reservoir): the KS test's power at 2,000 rows is ample for drift. */
export const WINDOW_SAMPLE_ROWS = 2000;
/** A count window that never fills is closed after this long anyway, so no traffic goes unchecked. */
export const COUNT_WINDOW_MAX_AGE_MS = 3_600_000;
/** Closed windows held while Postgres is unreachable; the oldest are dropped beyond this. */
const MAX_PENDING = 500;

export const SERVING_SOURCES = ['stream', 'oip', 'api'] as const;
export type ServingSource = (typeof SERVING_SOURCES)[number];

export const featureStatsSchema = z.object({
  n: z.number(),
  nulls: z.number(),
  sum: z.number(),
  sumSq: z.number(),
  min: z.number().nullable(),
  max: z.number().nullable(),
});
export const windowSummarySchema = z.object({
  rows: z.array(z.array(z.number().nullable())),
  predictions: z.array(z.number().nullable()),
  stats: z.array(featureStatsSchema),
});
export type WindowSummary = z.infer<typeof windowSummarySchema>;

export interface ServedVersion {
  id: string;
  orgId: string;
  modelId: string;
  featureNames: readonly string[];
}

export interface ClosedWindow {
  orgId: string;
  modelId: string;
  modelVersionId: string;
  source: ServingSource;
  windowStart: Date;
  windowEnd: Date;
  rows: number;
  featureNames: string[];
  summary: WindowSummary;
}

class OpenWindow {
  rows = 0;
  readonly sample: (number | null)[][] = [];
  readonly predictions: (number | null)[] = [];
  readonly n: Float64Array;
  readonly sum: Float64Array;
  readonly sumSq: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;

  constructor(
    readonly version: ServedVersion,
    readonly source: ServingSource,
    public start: number,
    public end: number | null,
    /** When its first row came: a late-arriving setting realigns the window around it. */
    readonly firstAt: number,
    private readonly cap: number,
    private readonly rand: () => number,
  ) {
    const f = version.featureNames.length;
    this.n = new Float64Array(f);
    this.sum = new Float64Array(f);
    this.sumSq = new Float64Array(f);
    this.min = new Float64Array(f).fill(Infinity);
    this.max = new Float64Array(f).fill(-Infinity);
  }

  add(data: ArrayLike<number | null>, offset: number, prediction: number | null): void {
    const f = this.version.featureNames.length;
    for (let j = 0; j < f; j++) {
      const v = data[offset + j];
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      this.n[j]!++;
      this.sum[j]! += v;
      this.sumSq[j]! += v * v;
      if (v < this.min[j]!) this.min[j] = v;
      if (v > this.max[j]!) this.max[j] = v;
    }
    this.rows++;
    // Algorithm R: every served row has the same chance cap/rows of being in the sample.
    const slot = this.rows <= this.cap ? this.rows - 1 : Math.floor(this.rand() * this.rows);
    if (slot >= this.cap) return;
    const row = new Array<number | null>(f);
    for (let j = 0; j < f; j++) {
      const v = data[offset + j];
      row[j] = v === undefined || v === null || !Number.isFinite(v) ? null : v;
    }
    this.sample[slot] = row;
    this.predictions[slot] = prediction !== null && Number.isFinite(prediction) ? prediction : null;
  }

  close(end: number): ClosedWindow {
    const f = this.version.featureNames.length;
    return {
      orgId: this.version.orgId,
      modelId: this.version.modelId,
      modelVersionId: this.version.id,
      source: this.source,
      windowStart: new Date(this.start),
      windowEnd: new Date(this.end ?? end),
      rows: this.rows,
      featureNames: [...this.version.featureNames],
      summary: {
        rows: this.sample,
        predictions: this.predictions,
        stats: Array.from({ length: f }, (_, j) => ({
          n: this.n[j]!,
          nulls: this.rows - this.n[j]!,
          sum: this.sum[j]!,
          sumSq: this.sumSq[j]!,
          min: this.n[j]! > 0 ? this.min[j]! : null,
          max: this.n[j]! > 0 ? this.max[j]! : null,
        })),
      },
    };
  }
}

/**
 * Makes an open window follow the model's setting, which may arrive after its first rows (they
 * open a default window) or change: a count window has no end; a time window spans the period
 * aligned to the epoch that holds its start.
 */
function conform(w: OpenWindow, config: DriftWindowConfig): void {
  if (config.kind === 'count') {
    w.end = null;
    return;
  }
  const period = config.seconds * 1000;
  if (w.end !== null && w.end - w.start === period && w.start % period === 0) return;
  w.start = w.firstAt - (w.firstAt % period);
  w.end = w.start + period;
}

export interface ServingWindowsOptions {
  /** Where closed windows go (Postgres: prismaWindowSink). */
  sink: (windows: ClosedWindow[]) => Promise<void>;
  /** The model's window setting; looked up at most once per `configTtlMs` per model. */
  configOf: (orgId: string, modelId: string) => Promise<DriftWindowConfig>;
  now?: () => number;
  sampleRows?: number;
  configTtlMs?: number;
  seed?: number;
}

/**
 * The windows one process has open, per (version, source). `observe` is the hot path: O(features)
 * per row, no I/O. `flush` (on a timer) closes what is due and writes it; a failed write keeps
 * the windows for the next flush, so a Postgres blip loses no window.
 */
export class ServingWindows {
  private open = new Map<string, OpenWindow>();
  private closed: ClosedWindow[] = [];
  private configs = new Map<string, { config: DriftWindowConfig; at: number }>();
  private readonly now: () => number;
  private readonly rand: () => number;
  private flushing: Promise<number> | null = null;

  constructor(private readonly o: ServingWindowsOptions) {
    this.now = o.now ?? Date.now;
    this.rand = seededRandom(o.seed ?? Date.now());
  }

  private loading = new Set<string>();

  private configFor(version: ServedVersion): DriftWindowConfig {
    const have = this.configs.get(version.modelId);
    if (have) return have.config;
    // First rows of a model: the default until its own setting arrives (one look-up, not per row).
    if (!this.loading.has(version.modelId)) {
      this.loading.add(version.modelId);
      void this.load(version.orgId, version.modelId, this.now()).finally(() => this.loading.delete(version.modelId));
    }
    return DEFAULT_DRIFT_WINDOW;
  }

  private async load(orgId: string, modelId: string, at: number): Promise<void> {
    try {
      this.configs.set(modelId, { config: await this.o.configOf(orgId, modelId), at });
    } catch (err) {
      log.warn({ err: (err as Error).message, modelId }, 'drift window setting not read; keeping the last one');
    }
  }

  /**
   * Rows the version scored: `data` row-major with `featureNames.length` values per row (nulls
   * allowed), and the prediction of each row (null when the model has no score output).
   */
  observe(
    version: ServedVersion,
    source: ServingSource,
    data: ArrayLike<number | null>,
    rows: number,
    predictions: ArrayLike<number> | null,
  ): void {
    const f = version.featureNames.length;
    if (f === 0 || rows <= 0 || data.length < rows * f) return;
    const key = `${version.id}|${source}`;
    const config = this.configFor(version);
    const at = this.now();
    for (let i = 0; i < rows; i++) {
      let w = this.open.get(key);
      if (w) conform(w, config);
      if (w && w.end !== null && at >= w.end) {
        this.closed.push(w.close(at));
        w = undefined;
      }
      if (!w) {
        const start = config.kind === 'time' ? at - (at % (config.seconds * 1000)) : at;
        const end = config.kind === 'time' ? start + config.seconds * 1000 : null;
        w = new OpenWindow(version, source, start, end, at, this.o.sampleRows ?? WINDOW_SAMPLE_ROWS, this.rand);
        this.open.set(key, w);
      }
      w.add(data, i * f, predictions ? (predictions[i] ?? null) : null);
      if (config.kind === 'count' && w.rows >= config.rows) {
        this.closed.push(w.close(at));
        this.open.delete(key);
      }
    }
  }

  /** Closes the windows that are due (all of them with `all`), refreshes model settings, writes. */
  flush(all = false): Promise<number> {
    // One flush at a time: a slow write must not have the next timer tick write the same windows.
    if (this.flushing) return this.flushing;
    this.flushing = this.doFlush(all).finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async doFlush(all: boolean): Promise<number> {
    const at = this.now();
    await this.refreshConfigs(at);
    for (const [key, w] of this.open) {
      const cfg = this.configFor(w.version);
      conform(w, cfg);
      const due = all || (w.end !== null && at >= w.end) || (w.end === null && at - w.start >= COUNT_WINDOW_MAX_AGE_MS);
      if (!due) continue;
      if (w.rows > 0) this.closed.push(w.close(at));
      this.open.delete(key);
    }
    if (this.closed.length === 0) return 0;
    const sending = this.closed;
    this.closed = [];
    try {
      await this.o.sink(sending);
      return sending.length;
    } catch (err) {
      this.closed = [...sending, ...this.closed].slice(-MAX_PENDING);
      log.warn({ err: (err as Error).message, windows: sending.length }, 'drift windows not written; kept for retry');
      return 0;
    }
  }

  private async refreshConfigs(at: number): Promise<void> {
    const ttl = this.o.configTtlMs ?? 60_000;
    const models = new Map<string, string>();
    for (const w of this.open.values()) models.set(w.version.modelId, w.version.orgId);
    for (const [modelId, orgId] of models) {
      const have = this.configs.get(modelId);
      if (have && at - have.at < ttl) continue;
      await this.load(orgId, modelId, at);
    }
    if (this.configs.size > 10_000) this.configs.clear();
  }

  /** The number of rows in open windows (for tests and the stop path). */
  get openRows(): number {
    let n = 0;
    for (const w of this.open.values()) n += w.rows;
    return n;
  }
}

/** A model's window setting from Postgres (the default when unset or unreadable). */
export function prismaWindowConfig(db: Pick<PrismaClient, 'registeredModel'>) {
  return async (orgId: string, modelId: string): Promise<DriftWindowConfig> => {
    const m = await db.registeredModel.findFirst({ where: { id: modelId, orgId }, select: { driftWindow: true } });
    return driftWindowConfigSchema.catch(DEFAULT_DRIFT_WINDOW).parse(m?.driftWindow ?? DEFAULT_DRIFT_WINDOW);
  };
}

export function prismaWindowSink(db: Pick<PrismaClient, 'driftWindow'>) {
  return async (windows: ClosedWindow[]): Promise<void> => {
    await db.driftWindow.createMany({
      data: windows.map((w) => ({ ...w, summary: w.summary })),
    });
  };
}

/** Windows written to Postgres, each model's setting read from it: what every serving process uses. */
export function prismaServingWindows(
  db: Pick<PrismaClient, 'driftWindow' | 'registeredModel'>,
  options: Partial<ServingWindowsOptions> = {},
): ServingWindows {
  return new ServingWindows({ sink: prismaWindowSink(db), configOf: prismaWindowConfig(db), ...options });
}

/** How often a serving process closes due windows and writes them. */
export const WINDOW_FLUSH_MS = 5000;

const g = globalThis as typeof globalThis & { drivelabApiWindows?: ServingWindows };

/**
 * The web process' windows (the predict API), created on first use and kept on globalThis because
 * Next.js route bundles load this module separately; flushed on a timer that never holds the
 * process open.
 */
export async function apiServingWindows(): Promise<ServingWindows> {
  if (!g.drivelabApiWindows) {
    const { db } = await import('../db');
    const windows = prismaServingWindows(db);
    g.drivelabApiWindows = windows;
    setInterval(() => void windows.flush(), WINDOW_FLUSH_MS).unref();
  }
  return g.drivelabApiWindows;
}

/** One row the predict API scored (its feature order), into the web process' windows. */
export function noteApiServed(version: ServedVersion, row: Float32Array, score: number): void {
  void apiServingWindows()
    .then((w) => w.observe(version, 'api', row, 1, [score]))
    .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'drift window not updated'));
}
