import { z } from 'zod';

/**
 * Per-version serving statistics that the inference worker publishes to Redis for the portal's
 * monitoring page (canary vs baseline). Latencies are kept as counts in fixed log-spaced buckets,
 * so the snapshots of several worker copies merge exactly and quantiles come from the merge.
 */
export const LATENCY_BUCKETS_US = [
  25,
  50,
  100,
  200,
  350,
  500,
  750,
  1000,
  1500,
  2500,
  5000,
  10_000,
  25_000,
  50_000,
  100_000,
  250_000,
  1_000_000,
  Infinity,
];

export class LatencyHistogram {
  readonly counts = new Array<number>(LATENCY_BUCKETS_US.length).fill(0);
  observe(us: number): void {
    let i = 0;
    while (us > LATENCY_BUCKETS_US[i]!) i++;
    this.counts[i]!++;
  }
}

/** The upper bound of the bucket holding quantile q, in µs; null with no observations. */
export function quantileUs(counts: readonly number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= rank)
      return Number.isFinite(LATENCY_BUCKETS_US[i]!) ? LATENCY_BUCKETS_US[i]! : LATENCY_BUCKETS_US[i - 1]! * 2;
  }
  return null;
}

export const versionStatsSchema = z.object({
  orgId: z.string(),
  modelId: z.string(),
  modelName: z.string(),
  versionId: z.string(),
  version: z.number().int(),
  provider: z.string(),
  /** Why the version is not on the first configured provider (e.g. no GPU adapter); absent when it is. */
  providerFallback: z.string().max(2000).optional(),
  /** Aliases pointing at this version and how: baseline (the alias's version) or canary with its weight. */
  routes: z.array(z.object({ alias: z.string(), role: z.enum(['baseline', 'canary']), weight: z.number() })),
  predictions: z.number().int().nonnegative(),
  httpRequests: z.number().int().nonnegative(),
  streamRows: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  batches: z.number().int().nonnegative(),
  batchRows: z.number().int().nonnegative(),
  requestUs: z.array(z.number().int().nonnegative()),
  queueUs: z.array(z.number().int().nonnegative()),
  since: z.number().int(),
  at: z.number().int(),
});
export type VersionStats = z.infer<typeof versionStatsSchema>;

export function statsKey(orgId: string): string {
  return `inf:stats:${orgId}`;
}

/** Sums the snapshots of one version from several worker copies. */
export function mergeStats(list: readonly VersionStats[]): VersionStats[] {
  const by = new Map<string, VersionStats>();
  for (const s of list) {
    const had = by.get(s.versionId);
    if (!had) {
      by.set(s.versionId, { ...s, routes: [...s.routes], requestUs: [...s.requestUs], queueUs: [...s.queueUs] });
      continue;
    }
    for (const k of ['predictions', 'httpRequests', 'streamRows', 'errors', 'batches', 'batchRows'] as const)
      had[k] += s[k];
    s.requestUs.forEach((c, i) => (had.requestUs[i] = (had.requestUs[i] ?? 0) + c));
    s.queueUs.forEach((c, i) => (had.queueUs[i] = (had.queueUs[i] ?? 0) + c));
    had.since = Math.min(had.since, s.since);
    had.at = Math.max(had.at, s.at);
    for (const r of s.routes) if (!had.routes.some((x) => x.alias === r.alias && x.role === r.role)) had.routes.push(r);
  }
  return [...by.values()];
}
