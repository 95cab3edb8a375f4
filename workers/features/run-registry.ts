import type { Pool } from 'pg';

/**
 * Which org owns a run, and at what sensor rate it was configured, from Postgres (Run and its
 * ScenarioVersion), cached. Tenant rule (../shared/DESIGN.md, "Tenancy"): a frame whose orgId is
 * not its run's org is rejected. A runId with no Run row is accepted by default: vehicles, CARLA
 * bridges and benchmarks stream runs the portal did not create; the operator still pins such a
 * run to the org of its first frame, so no second org can write into it. FEATURES_REQUIRE_RUN=1
 * rejects unknown runs instead. "Not found" is cached only briefly, because a portal run's row
 * may be created an instant after its first frames were produced.
 */
export interface RunInfo {
  orgId: string;
  /** Sensor rate of the run's scenario, when it has one. */
  rateHz: number | null;
}

export interface RunRegistry {
  /** Looks up every id not cached, in one query. */
  resolve(runIds: Iterable<string>): Promise<void>;
  /** After resolve(): the run's info, or null when no Run row exists. */
  get(runId: string): RunInfo | null;
}

export type RunLookup = (runIds: string[]) => Promise<Map<string, RunInfo>>;

export function pgRunLookup(pool: Pool): RunLookup {
  return async (ids) => {
    const res = await pool.query<{ id: string; orgId: string; rate: string | null }>(
      `SELECT r.id, r."orgId", sv.spec->'sensors'->>'rateHz' AS rate
         FROM "Run" r LEFT JOIN "ScenarioVersion" sv ON sv.id = r."scenarioVersionId"
        WHERE r.id = ANY($1::text[])`,
      [ids],
    );
    const out = new Map<string, RunInfo>();
    for (const row of res.rows) {
      const rate = row.rate === null ? NaN : Number(row.rate);
      out.set(row.id, { orgId: row.orgId, rateHz: rate > 0 ? rate : null });
    }
    return out;
  };
}

export function createRunRegistry(
  lookup: RunLookup,
  options: { missTtlMs?: number; maxEntries?: number; now?: () => number } = {},
): RunRegistry {
  const missTtlMs = options.missTtlMs ?? 5_000;
  const maxEntries = options.maxEntries ?? 100_000;
  const now = options.now ?? Date.now;
  const known = new Map<string, RunInfo>();
  const missing = new Map<string, number>();
  return {
    async resolve(runIds) {
      const t = now();
      const ask: string[] = [];
      for (const id of runIds) {
        if (known.has(id)) continue;
        const missAt = missing.get(id);
        if (missAt !== undefined && t - missAt < missTtlMs) continue;
        ask.push(id);
      }
      if (ask.length === 0) return;
      const found = await lookup(ask);
      // A run's owner never changes, so found entries stay; the cache is only bounded.
      if (known.size + found.size > maxEntries) known.clear();
      if (missing.size > maxEntries) missing.clear();
      for (const id of ask) {
        const info = found.get(id);
        if (info) {
          known.set(id, info);
          missing.delete(id);
        } else missing.set(id, t);
      }
    },
    get: (runId) => known.get(runId) ?? null,
  };
}
