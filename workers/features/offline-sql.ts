import type { FeaturesMessage } from '~/server/contracts/features';

/**
 * Batched idempotent upserts into the offline store ("FeatureWindow"). One statement per batch
 * with one array parameter per column (unnest), so that the statement text and the number of
 * parameters do not grow with the batch. A row is replaced only by an equal or higher revision of
 * the same org: a replay after a crash rewrites identical values, and an older emission that
 * arrives after a newer one changes nothing.
 */
export interface SqlStatement {
  text: string;
  values: unknown[];
}

export const UPSERT_SQL = `INSERT INTO "FeatureWindow" ("orgId","runId","vehicleId","windowStart","windowSize","windowEnd","kind","featureSetVersion","values","frameCount","revision","updatedAt")
SELECT o, r, v, ws, wz, we, k, fsv, vals::double precision[], fc, rev, now()
FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::text[], $8::text[], $9::text[], $10::int[], $11::int[])
  AS u(o, r, v, ws, wz, we, k, fsv, vals, fc, rev)
ON CONFLICT ("runId","vehicleId","windowStart","windowSize") DO UPDATE SET
  "windowEnd" = EXCLUDED."windowEnd", "kind" = EXCLUDED."kind", "featureSetVersion" = EXCLUDED."featureSetVersion",
  "values" = EXCLUDED."values", "frameCount" = EXCLUDED."frameCount", "revision" = EXCLUDED."revision", "updatedAt" = EXCLUDED."updatedAt"
WHERE "FeatureWindow"."orgId" = EXCLUDED."orgId" AND "FeatureWindow"."revision" <= EXCLUDED."revision"`;

/** A Postgres array literal of doubles; String() of a double is its shortest exact form. */
export function float8ArrayLiteral(values: readonly (number | null)[]): string {
  let s = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) s += ',';
    if (v === null || v === undefined) s += 'NULL';
    else if (!Number.isFinite(v)) throw new Error(`feature value ${v} is not finite`);
    else s += String(v);
  }
  return s + '}';
}

function rowKey(m: FeaturesMessage): string {
  return `${m.runId}\u0000${m.vehicleId}\u0000${m.windowStart}\u0000${m.windowSize}`;
}

/**
 * One row per key, the highest revision winning (a later emission on equal revision): Postgres
 * refuses an INSERT … ON CONFLICT that touches the same row twice.
 */
export function dedupeWindows(messages: readonly FeaturesMessage[]): FeaturesMessage[] {
  const byKey = new Map<string, FeaturesMessage>();
  for (const m of messages) {
    const k = rowKey(m);
    const had = byKey.get(k);
    if (!had || m.revision >= had.revision) byKey.set(k, m);
  }
  return [...byKey.values()];
}

export function buildUpsertStatements(messages: readonly FeaturesMessage[], maxRows = 2000): SqlStatement[] {
  if (!(maxRows >= 1)) throw new Error('maxRows must be ≥ 1');
  const rows = dedupeWindows(messages);
  const out: SqlStatement[] = [];
  for (let i = 0; i < rows.length; i += maxRows) {
    const chunk = rows.slice(i, i + maxRows);
    const cols: unknown[][] = Array.from({ length: 11 }, () => []);
    for (const m of chunk) {
      cols[0]!.push(m.orgId);
      cols[1]!.push(m.runId);
      cols[2]!.push(m.vehicleId);
      cols[3]!.push(m.windowStart);
      cols[4]!.push(m.windowSize);
      cols[5]!.push(m.windowEnd);
      cols[6]!.push(m.kind);
      cols[7]!.push(m.featureSetVersion);
      cols[8]!.push(float8ArrayLiteral(m.values));
      cols[9]!.push(m.frameCount);
      cols[10]!.push(m.revision);
    }
    out.push({ text: UPSERT_SQL, values: cols });
  }
  return out;
}
