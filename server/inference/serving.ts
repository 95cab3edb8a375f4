import type { PrismaClient } from '@prisma/client';
import { childLogger } from '../observability/logger';
import { objectStore, type ObjectStore } from '../store/object-store';
import { routesToCanary } from './canary';
import { parseProviders } from './providers';
import { loadRegisteredVersion } from './version-loader';
import type { VersionSession } from './version-session';
import { env } from '../env';

const log = childLogger('inference.serving');

/**
 * Scoring inside the web process (the fleet predict API). Each request reads the alias from
 * Postgres (one query), so a promotion applies at once without a dl.models consumer here; sessions are cached
 * per version (LRU) and a version evicted from the cache drains before it is released. Scoring
 * here rather than proxying to the inference worker saves a network hop and an internal
 * credential, and keeps the API up while the worker restarts; the models are small.
 */
export interface ResolvedModel {
  session: VersionSession;
  alias: string | null;
  /** Which side of the alias served: baseline or canary (null for an explicit version). */
  variant: 'baseline' | 'canary' | null;
  /** The alias's shadow version: scores a copy of the request, never answers it. */
  shadow: VersionSession | null;
}

export class ModelNotFoundError extends Error {}

/** A model is named by its name or its id (cuid); both are looked up only inside the org. */
const byNameOrId = (orgId: string, ref: string) => ({ orgId, OR: [{ name: ref }, { id: ref }] });

type Db = Pick<PrismaClient, 'registeredModel' | 'modelVersion' | 'modelAlias'>;

export class ServingCache {
  private sessions = new Map<string, Promise<VersionSession>>();

  constructor(
    private readonly db: Db,
    private readonly store: ObjectStore = objectStore(),
    private readonly maxVersions = 16,
  ) {}

  private open(versionId: string): Promise<VersionSession> {
    const have = this.sessions.get(versionId);
    if (have) {
      this.sessions.delete(versionId);
      this.sessions.set(versionId, have);
      return have;
    }
    const p = loadRegisteredVersion(this.db, this.store, versionId, {
      providers: parseProviders(env.INFERENCE_PROVIDERS),
      batching: { maxBatch: 256, maxDelayUs: 200, maxConcurrent: 2 },
    }).then((s) => {
      log.info(
        { model: s.info.modelName, version: s.info.version, provider: s.provider },
        'model version loaded for the predict API',
      );
      return s;
    });
    p.catch(() => this.sessions.delete(versionId));
    this.sessions.set(versionId, p);
    while (this.sessions.size > this.maxVersions) {
      const [oldest, op] = this.sessions.entries().next().value as [string, Promise<VersionSession>];
      this.sessions.delete(oldest);
      void op.then((s) => s.retire()).catch(() => undefined);
    }
    return p;
  }

  /**
   * The org's model by name or id: an explicit version, else the alias (default production), canary by
   * the vehicle when one is named. Another org's model is "not found".
   */
  async resolve(
    orgId: string,
    modelName: string,
    opts: { alias?: string; version?: number; vehicleId?: string | null } = {},
  ): Promise<ResolvedModel> {
    // One query on the hot path; the model is looked up on its own only to word a miss.
    if (opts.version !== undefined) {
      const v = await this.db.modelVersion.findFirst({
        where: { orgId, version: opts.version, model: byNameOrId(orgId, modelName) },
        select: { id: true },
      });
      if (!v) throw await this.notFound(orgId, modelName, `has no version ${opts.version}`);
      return { session: await this.open(v.id), alias: null, variant: null, shadow: null };
    }
    const aliasName = opts.alias ?? 'production';
    const alias = await this.db.modelAlias.findFirst({
      where: { name: aliasName, model: byNameOrId(orgId, modelName) },
    });
    if (!alias) throw await this.notFound(orgId, modelName, `has no '${aliasName}' deployment`);
    const canary =
      alias.canaryVersionId && opts.vehicleId && routesToCanary(alias.modelId, opts.vehicleId, alias.canaryWeight);
    // A shadow that cannot load must not take the served answer down with it.
    const shadow = alias.shadowVersionId
      ? await this.open(alias.shadowVersionId).catch((err: unknown) => {
          log.warn({ err, versionId: alias.shadowVersionId }, 'shadow version could not be loaded');
          return null;
        })
      : null;
    return {
      session: await this.open(canary ? alias.canaryVersionId! : alias.versionId),
      alias: aliasName,
      variant: canary ? 'canary' : 'baseline',
      shadow,
    };
  }

  private async notFound(orgId: string, modelName: string, what: string): Promise<ModelNotFoundError> {
    const model = await this.db.registeredModel.findFirst({
      where: byNameOrId(orgId, modelName),
      select: { id: true },
    });
    return new ModelNotFoundError(model ? `Model '${modelName}' ${what}` : `Model '${modelName}' not found`);
  }
}

const g = globalThis as typeof globalThis & { drivelabServing?: ServingCache };

export async function servingCache(): Promise<ServingCache> {
  if (!g.drivelabServing) {
    const { db } = await import('../db');
    g.drivelabServing = new ServingCache(db);
  }
  return g.drivelabServing;
}
