import type { Redis } from 'ioredis';
import type { BatchStats } from '~/server/inference/batcher';
import { LatencyHistogram, statsKey, type VersionStats } from '~/server/inference/stats';
import type { VersionSession } from '~/server/inference/version-session';
import type { DeploymentRegistry } from './deployments';

interface Live {
  session: VersionSession;
  predictions: number;
  httpRequests: number;
  streamRows: number;
  errors: number;
  batches: number;
  batchRows: number;
  request: LatencyHistogram;
  queue: LatencyHistogram;
  since: number;
}

/**
 * Counts per version for the monitoring page, published to Redis (one hash per org, a field per
 * version and worker copy) with a TTL, so a stopped worker's numbers fade out.
 */
export class VersionStatsBook {
  private live = new Map<string, Live>();

  constructor(private readonly instanceId: string) {}

  attach(session: VersionSession): void {
    const l: Live = {
      session,
      predictions: 0,
      httpRequests: 0,
      streamRows: 0,
      errors: 0,
      batches: 0,
      batchRows: 0,
      request: new LatencyHistogram(),
      queue: new LatencyHistogram(),
      since: Date.now(),
    };
    this.live.set(session.info.id, l);
    session.onBatch = (s: BatchStats) => {
      l.batches++;
      l.batchRows += s.rows;
      if (!s.ok) l.errors += s.rows;
      for (const q of s.queueUs) l.queue.observe(q);
    };
  }

  record(versionId: string, source: 'http' | 'stream', rows: number, latencyUs: number): void {
    const l = this.live.get(versionId);
    if (!l) return;
    l.predictions += rows;
    if (source === 'http') l.httpRequests++;
    else l.streamRows += rows;
    l.request.observe(latencyUs);
  }

  snapshot(registry: DeploymentRegistry): VersionStats[] {
    const routes = new Map<string, VersionStats['routes']>();
    for (const m of registry.allModels()) {
      for (const r of m.aliases.values()) {
        const add = (id: string, x: VersionStats['routes'][number]) => routes.set(id, [...(routes.get(id) ?? []), x]);
        add(r.primary.info.id, { alias: r.alias, role: 'baseline', weight: r.canary ? 1 - r.canaryWeight : 1 });
        if (r.canary) add(r.canary.info.id, { alias: r.alias, role: 'canary', weight: r.canaryWeight });
      }
    }
    const at = Date.now();
    const out: VersionStats[] = [];
    for (const [id, l] of this.live) {
      if (l.session.retired && l.session.batcher.pending === 0 && !routes.has(id)) {
        // Keep a retired version's last numbers one more round, then forget it.
        this.live.delete(id);
      }
      const i = l.session.info;
      out.push({
        orgId: i.orgId,
        modelId: i.modelId,
        modelName: i.modelName,
        versionId: i.id,
        version: i.version,
        provider: l.session.provider,
        ...(l.session.fallbackReason ? { providerFallback: l.session.fallbackReason } : {}),
        routes: routes.get(id) ?? [],
        predictions: l.predictions,
        httpRequests: l.httpRequests,
        streamRows: l.streamRows,
        errors: l.errors,
        batches: l.batches,
        batchRows: l.batchRows,
        requestUs: [...l.request.counts],
        queueUs: [...l.queue.counts],
        since: l.since,
        at,
      });
    }
    return out;
  }

  async publish(redis: Redis, registry: DeploymentRegistry, ttlS = 60): Promise<void> {
    const snaps = this.snapshot(registry);
    if (snaps.length === 0) return;
    const p = redis.pipeline();
    for (const s of snaps) {
      p.hset(statsKey(s.orgId), `${s.versionId}|${this.instanceId}`, JSON.stringify(s));
      p.expire(statsKey(s.orgId), ttlS);
    }
    await p.exec();
  }
}
