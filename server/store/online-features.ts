import type { Redis } from 'ioredis';
import { featuresMessageSchema, type FeaturesMessage, type WindowKind } from '../contracts/features';

/**
 * The online feature store in Redis (../shared/DESIGN.md, "Storage"): the latest window of each
 * vehicle, one hash per (org, run, vehicle) with a field per window kind, and a per-org sorted
 * set indexing the vehicles by last update. Everything carries a TTL so that finished runs fade
 * out; the key always starts with the orgId so no read can cross tenants by construction.
 */
export function onlineKey(orgId: string, runId: string, vehicleId: string): string {
  return `fs:${orgId}:${runId}:${vehicleId}`;
}

export function onlineIndexKey(orgId: string): string {
  return `fs:idx:${orgId}`;
}

/** The member of the org index for one vehicle; runIds and vehicleIds never contain '|'. */
export function onlineIndexMember(runId: string, vehicleId: string): string {
  return `${runId}|${vehicleId}`;
}

/**
 * Keeps, per (org, run, vehicle, kind), the newest window of a list (by window end, then
 * revision): a late re-emission of an older window must not replace a newer one.
 */
export function latestPerVehicle(messages: readonly FeaturesMessage[]): FeaturesMessage[] {
  const latest = new Map<string, FeaturesMessage>();
  for (const m of messages) {
    const k = `${m.orgId}\u0000${m.runId}\u0000${m.vehicleId}\u0000${m.kind}`;
    const had = latest.get(k);
    if (!had || m.windowEnd > had.windowEnd || (m.windowEnd === had.windowEnd && m.revision >= had.revision))
      latest.set(k, m);
  }
  return [...latest.values()];
}

/** Writes the latest windows in one round trip. */
export async function writeOnlineFeatures(
  redis: Redis,
  messages: readonly FeaturesMessage[],
  ttlS: number,
): Promise<void> {
  if (messages.length === 0) return;
  const p = redis.pipeline();
  const indexes = new Set<string>();
  for (const m of messages) {
    const key = onlineKey(m.orgId, m.runId, m.vehicleId);
    p.hset(key, m.kind, JSON.stringify(m));
    p.expire(key, ttlS);
    p.zadd(onlineIndexKey(m.orgId), m.emittedAt, onlineIndexMember(m.runId, m.vehicleId));
    indexes.add(onlineIndexKey(m.orgId));
  }
  for (const idx of indexes) p.expire(idx, ttlS);
  const results = await p.exec();
  const failed = results?.find(([err]) => err)?.[0];
  if (failed) throw failed;
}

/** The latest window of one vehicle, or null when none is live (expired or never written). */
export async function readOnlineFeatures(
  redis: Redis,
  orgId: string,
  runId: string,
  vehicleId: string,
  kind: WindowKind = 'tumbling',
): Promise<FeaturesMessage | null> {
  return (await readOnlineFeaturesMany(redis, orgId, [{ runId, vehicleId }], kind))[0]!;
}

/** The latest windows of several vehicles in one round trip, in the order asked. */
export async function readOnlineFeaturesMany(
  redis: Redis,
  orgId: string,
  vehicles: readonly { runId: string; vehicleId: string }[],
  kind: WindowKind = 'tumbling',
): Promise<(FeaturesMessage | null)[]> {
  if (vehicles.length === 0) return [];
  const p = redis.pipeline();
  for (const v of vehicles) p.hget(onlineKey(orgId, v.runId, v.vehicleId), kind);
  const results = (await p.exec()) ?? [];
  return results.map(([err, raw]) => {
    if (err) throw err;
    if (typeof raw !== 'string') return null;
    const parsed = featuresMessageSchema.safeParse(JSON.parse(raw));
    return parsed.success && parsed.data.orgId === orgId ? parsed.data : null;
  });
}

/** The vehicles of an org with live features, most recently updated first. */
export async function listOnlineVehicles(
  redis: Redis,
  orgId: string,
  limit = 100,
): Promise<{ runId: string; vehicleId: string; updatedAt: number }[]> {
  const flat = await redis.zrevrange(onlineIndexKey(orgId), 0, limit - 1, 'WITHSCORES');
  const out: { runId: string; vehicleId: string; updatedAt: number }[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const [runId, vehicleId] = flat[i]!.split('|');
    out.push({ runId: runId!, vehicleId: vehicleId!, updatedAt: Number(flat[i + 1]) });
  }
  return out;
}
