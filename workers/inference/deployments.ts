import type { PrismaClient } from '@prisma/client';
import { loadRegisteredVersion } from '~/server/inference/version-loader';
import type { LoadVersionOptions, VersionSession } from '~/server/inference/version-session';
import { childLogger } from '~/server/observability/logger';
import { serialQueue } from '~/server/worker/serial';
import type { ObjectStore } from '~/server/store/object-store';
import { routesToCanary } from '~/server/inference/canary';

const log = childLogger('inference.deployments');

export interface AliasRoute {
  alias: string;
  primary: VersionSession;
  canary: VersionSession | null;
  canaryWeight: number;
  /** Scores a copy of the alias's stream traffic; its predictions are recorded, never published or alerted on. */
  shadow: VersionSession | null;
}

export interface ModelEntry {
  modelId: string;
  orgId: string;
  name: string;
  kind: string;
  /** Registered version numbers, for OIP metadata. */
  versions: number[];
  aliases: Map<string, AliasRoute>;
}

type Db = Pick<PrismaClient, 'modelAlias' | 'modelVersion' | 'registeredModel'>;

export interface DeploymentRegistryOptions {
  db: Db;
  store: ObjectStore;
  /** Aliases served (INFERENCE_ALIAS); others are reachable only by explicit version. */
  aliases: readonly string[];
  load: LoadVersionOptions;
  /** Explicitly requested versions kept open (LRU). */
  maxExplicitVersions?: number;
  /** Called when a session is opened, e.g. to attach stats. */
  onOpen?: (v: VersionSession) => void;
}

/**
 * Every org's deployments: model → alias → (version, canary version, weight), one ONNX Runtime
 * session per version shared by all aliases that point at it. A reload builds the new route
 * completely (sessions opened) before swapping it in, then drops the old references; a session
 * no longer referenced drains its queue and in-flight runs before it is released. Lookups are
 * synchronous, so a request that resolved a session before the swap finishes on it.
 */
/** The canary an alias row asks to serve: none without weight, or when it is the primary itself. */
function servedCanary(row: { versionId: string; canaryVersionId: string | null; canaryWeight: number }): string | null {
  return row.canaryVersionId && row.canaryWeight > 0 && row.canaryVersionId !== row.versionId
    ? row.canaryVersionId
    : null;
}

/** The shadow an alias row asks for: none when it is the primary itself (it would score twice). */
function servedShadow(row: { versionId: string; shadowVersionId: string | null }): string | null {
  return row.shadowVersionId && row.shadowVersionId !== row.versionId ? row.shadowVersionId : null;
}

export class DeploymentRegistry {
  private models = new Map<string, ModelEntry>();
  private byOrgName = new Map<string, ModelEntry>();
  private byOrg = new Map<string, ModelEntry[]>();
  private sessions = new Map<string, VersionSession>();
  private opening = new Map<string, Promise<VersionSession>>();
  private explicit = new Map<string, VersionSession>();
  /** Loading, reconciling and reloading aliases run one at a time. */
  private readonly serial = serialQueue();
  private closed = false;
  /** Aliases whose row could not be loaded, with the row they had then (see reconcile). */
  private unloadable = new Map<string, string>();
  /** Aliases whose shadow version could not be loaded, with that version's id. */
  private shadowFailed = new Map<string, string>();

  constructor(private readonly o: DeploymentRegistryOptions) {}

  private static orgKey(orgId: string, name: string): string {
    return `${orgId}\u0000${name}`;
  }

  /** A session for a version, opened once; the caller owns one reference. */
  private async acquire(versionId: string): Promise<VersionSession> {
    const have = this.sessions.get(versionId);
    if (have && !have.retired) return have.retain();
    let p = this.opening.get(versionId);
    if (!p) {
      p = loadRegisteredVersion(this.o.db, this.o.store, versionId, this.o.load).then((s) => {
        this.sessions.set(versionId, s);
        this.o.onOpen?.(s);
        const fields = {
          versionId,
          model: s.info.modelName,
          version: s.info.version,
          provider: s.provider,
          maxBatch: s.batching.maxBatch,
          attempts: s.attempts,
        };
        // Info, not warn: on a machine without a GPU every version falls back, by design. The worker's
        // start line says whether a GPU adapter was found at all.
        log.info(
          s.fallbackReason ? { ...fields, fallbackReason: s.fallbackReason } : fields,
          s.fallbackReason ? `model version loaded on ${s.provider} (fallback)` : 'model version loaded',
        );
        return s;
      });
      this.opening.set(versionId, p);
      p.finally(() => this.opening.delete(versionId)).catch(() => undefined);
    }
    return (await p).retain();
  }

  private drop(s: VersionSession | null | undefined): void {
    if (!s) return;
    void s.release().then(() => {
      if (s.retired && this.sessions.get(s.info.id) === s) {
        this.sessions.delete(s.info.id);
        log.info({ versionId: s.info.id, model: s.info.modelName, version: s.info.version }, 'model version released');
      }
    });
  }

  /** Loads every org's served aliases. */
  loadAll(): Promise<void> {
    return this.serial(async () => {
      const rows = await this.o.db.modelAlias.findMany({
        where: { name: { in: [...this.o.aliases] } },
        select: { modelId: true, name: true },
      });
      for (const r of rows) {
        try {
          await this.reloadNow(r.modelId, r.name);
        } catch (err) {
          log.error({ err, modelId: r.modelId, alias: r.name }, 'could not load deployment');
        }
      }
    });
  }

  /**
   * Catches up with Postgres: reloads every served alias whose row differs from what is served
   * and drops those whose row is gone. dl.models is sent after the alias move commits, so a web
   * process that dies in between leaves a move no message announces; this bounds how long that
   * goes unnoticed. Returns the number of aliases changed.
   */
  reconcile(): Promise<number> {
    return this.serial(async () => {
      if (this.closed) return 0;
      const rows = await this.o.db.modelAlias.findMany({
        where: { name: { in: [...this.o.aliases] } },
        select: {
          modelId: true,
          name: true,
          versionId: true,
          canaryVersionId: true,
          canaryWeight: true,
          shadowVersionId: true,
        },
      });
      const inDb = new Set<string>();
      const stale: { modelId: string; alias: string; wanted: string }[] = [];
      for (const r of rows) {
        const key = `${r.modelId}\u0000${r.name}`;
        inDb.add(key);
        const cur = this.models.get(r.modelId)?.aliases.get(r.name);
        const canaryId = servedCanary(r);
        const shadowId = servedShadow(r);
        const same =
          cur &&
          cur.primary.info.id === r.versionId &&
          (cur.canary?.info.id ?? null) === canaryId &&
          (canaryId === null || cur.canaryWeight === r.canaryWeight) &&
          // A shadow that failed to load is not retried every round (it is logged, and serving goes on).
          ((cur.shadow?.info.id ?? null) === shadowId || this.shadowFailed.get(key) === shadowId);
        const wanted = `${r.versionId}/${canaryId}/${r.canaryWeight}/${shadowId}`;
        // A deployment that failed to load is tried again when its row changes, not every round.
        if (!same && this.unloadable.get(key) !== wanted) stale.push({ modelId: r.modelId, alias: r.name, wanted });
      }
      for (const entry of this.models.values())
        for (const alias of entry.aliases.keys())
          if (!inDb.has(`${entry.modelId}\u0000${alias}`)) stale.push({ modelId: entry.modelId, alias, wanted: '' });
      for (const key of this.unloadable.keys()) if (!inDb.has(key)) this.unloadable.delete(key);
      let changed = 0;
      for (const { modelId, alias, wanted } of stale) {
        const key = `${modelId}\u0000${alias}`;
        try {
          await this.reloadNow(modelId, alias);
          this.unloadable.delete(key);
          changed++;
        } catch (err) {
          this.unloadable.set(key, wanted);
          log.error({ err, modelId, alias }, 'could not load deployment');
        }
      }
      return changed;
    });
  }

  /** Re-reads one alias from Postgres (the dl.models message is only the trigger). */
  reload(modelId: string, alias: string): Promise<void> {
    if (!this.o.aliases.includes(alias)) return Promise.resolve();
    return this.serial(() => this.reloadNow(modelId, alias));
  }

  private async reloadNow(modelId: string, alias: string): Promise<void> {
    if (this.closed) return;
    const model = await this.o.db.registeredModel.findUnique({
      where: { id: modelId },
      include: {
        aliases: { where: { name: alias } },
        versions: { select: { version: true }, orderBy: { version: 'asc' } },
      },
    });
    const row = model?.aliases[0];
    let entry = this.models.get(modelId);
    if (!model || !row) {
      const old = entry?.aliases.get(alias);
      if (entry && old) {
        entry.aliases.delete(alias);
        this.drop(old.primary);
        this.drop(old.canary);
        this.drop(old.shadow);
        if (entry.aliases.size === 0) this.removeModel(entry);
      }
      log.info({ modelId, alias }, 'deployment removed');
      return;
    }
    const primary = await this.acquire(row.versionId);
    let canary: VersionSession | null = null;
    try {
      const canaryId = servedCanary(row);
      if (canaryId) canary = await this.acquire(canaryId);
    } catch (err) {
      this.drop(primary);
      throw err;
    }
    // A shadow only observes: one that cannot load leaves the served route as it is.
    const shadowId = servedShadow(row);
    const key = `${modelId}\u0000${alias}`;
    let shadow: VersionSession | null = null;
    this.shadowFailed.delete(key);
    if (shadowId) {
      try {
        shadow = await this.acquire(shadowId);
      } catch (err) {
        this.shadowFailed.set(key, shadowId);
        log.warn({ err, modelId, alias, versionId: shadowId }, 'shadow version could not be loaded');
      }
    }
    if (!entry) {
      entry = { modelId, orgId: model.orgId, name: model.name, kind: model.kind, versions: [], aliases: new Map() };
      this.models.set(modelId, entry);
      this.byOrgName.set(DeploymentRegistry.orgKey(model.orgId, model.name), entry);
      this.byOrg.set(model.orgId, [...(this.byOrg.get(model.orgId) ?? []), entry]);
    }
    entry.versions = model.versions.map((v) => v.version);
    const old = entry.aliases.get(alias);
    entry.aliases.set(alias, { alias, primary, canary, canaryWeight: canary ? row.canaryWeight : 0, shadow });
    this.drop(old?.primary);
    this.drop(old?.canary);
    this.drop(old?.shadow);
    log.info(
      {
        model: model.name,
        alias,
        version: primary.info.version,
        canaryVersion: canary?.info.version ?? null,
        canaryWeight: canary ? row.canaryWeight : 0,
        shadowVersion: shadow?.info.version ?? null,
        provider: primary.provider,
      },
      'deployment loaded',
    );
  }

  private removeModel(entry: ModelEntry): void {
    this.models.delete(entry.modelId);
    this.byOrgName.delete(DeploymentRegistry.orgKey(entry.orgId, entry.name));
    const rest = (this.byOrg.get(entry.orgId) ?? []).filter((m) => m !== entry);
    if (rest.length > 0) this.byOrg.set(entry.orgId, rest);
    else this.byOrg.delete(entry.orgId);
  }

  /** The org's model of that name, only if it has a served alias. Other orgs' models do not exist here. */
  model(orgId: string, name: string): ModelEntry | null {
    return this.byOrgName.get(DeploymentRegistry.orgKey(orgId, name)) ?? null;
  }

  private static readonly none: readonly ModelEntry[] = [];

  /** All served models of an org (a shared list: do not modify). */
  modelsOf(orgId: string): readonly ModelEntry[] {
    return this.byOrg.get(orgId) ?? DeploymentRegistry.none;
  }

  allModels(): IterableIterator<ModelEntry> {
    return this.models.values();
  }

  loadedSessions(): VersionSession[] {
    return [...this.sessions.values()];
  }

  /** The version serving this vehicle (canary by hash), or the baseline without a vehicle. */
  static route(entry: ModelEntry, route: AliasRoute, vehicleId: string | null): VersionSession {
    if (route.canary && vehicleId !== null && routesToCanary(entry.modelId, vehicleId, route.canaryWeight))
      return route.canary;
    return route.primary;
  }

  /**
   * One explicit version of an org's model (OIP /versions/{v}), from the open sessions or loaded
   * on demand and kept in a small LRU. null when the org has no such model or version.
   */
  async version(orgId: string, name: string, version: number): Promise<VersionSession | null> {
    for (const s of this.sessions.values()) {
      if (s.info.orgId === orgId && s.info.modelName === name && s.info.version === version && !s.retired) return s;
    }
    const row = await this.o.db.modelVersion.findFirst({
      where: { orgId, version, model: { orgId, name } },
      select: { id: true },
    });
    if (!row) return null;
    const cached = this.explicit.get(row.id);
    if (cached && !cached.retired) {
      this.explicit.delete(row.id);
      this.explicit.set(row.id, cached);
      return cached;
    }
    const s = await this.acquire(row.id);
    this.explicit.set(row.id, s);
    const max = this.o.maxExplicitVersions ?? 16;
    while (this.explicit.size > max) {
      const [k, v] = this.explicit.entries().next().value as [string, VersionSession];
      this.explicit.delete(k);
      this.drop(v);
    }
    return s;
  }

  /** Registered version numbers of an org's model (also for models without a served alias). */
  async versionsOf(orgId: string, name: string): Promise<number[] | null> {
    const m = await this.o.db.registeredModel.findUnique({
      where: { orgId_name: { orgId, name } },
      include: { versions: { select: { version: true }, orderBy: { version: 'asc' } } },
    });
    return m ? m.versions.map((v) => v.version) : null;
  }

  async close(): Promise<void> {
    this.closed = true;
    // Whatever is queued finishes first.
    await this.serial(() => undefined);
    const all = [...this.sessions.values()];
    this.models.clear();
    this.byOrgName.clear();
    this.byOrg.clear();
    this.explicit.clear();
    this.sessions.clear();
    await Promise.all(all.map((s) => s.retire()));
  }
}
