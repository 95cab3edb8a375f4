import type { FeaturesMessage, WindowKind } from '~/server/contracts/features';
import type { AlertMessage, PredictionMessage } from '~/server/contracts/predictions';
import { inferenceMetrics } from '~/server/inference/metrics';
import { crosses, featureIndex, fillRow, labelOf, scoresOf } from '~/server/inference/scoring';
import type { VersionSession } from '~/server/inference/version-session';
import { AlertDebouncer, alertId, type AlertPolicy } from './alerts';
import { DeploymentRegistry, type ModelEntry } from './deployments';

/**
 * Streaming scoring: a batch of feature windows → for each window, every served alias of every
 * model of the window's org whose features the window carries → the version that serves the
 * vehicle (canary by hash) → one ONNX run per version for the whole batch → predictions, and
 * alerts from the K-of-N debouncer.
 */
export interface StreamScorerOptions {
  aliases: readonly string[];
  /** Which windows are scored; models are trained on one kind. */
  windowKind: WindowKind | 'any';
  alert: AlertPolicy;
  now?: () => number;
  onServed?: (versionId: string, source: 'stream', rows: number, latencyUs: number) => void;
  /** The scored rows (row-major, the version's feature order) and their scores: drift windows. */
  onScored?: (session: VersionSession, data: Float32Array, rows: number, scores: Float64Array) => void;
}

export interface ScoredBatch {
  predictions: PredictionMessage[];
  alerts: AlertMessage[];
  /** Windows no served model applies to. */
  unmatched: number;
  errors: { versionId: string; error: string; rows: number }[];
}

interface Group {
  session: VersionSession;
  entry: ModelEntry;
  alias: string;
  scope: string;
  /** The feature index of the first window; others with a different names array look theirs up. */
  index: Int32Array;
  msgs: FeaturesMessage[];
}

interface IndexCache {
  names: readonly string[];
  index: Int32Array | null;
}

/** Alert scope of a (model, alias): built once per route, not per window. */
const scopeOf = (modelId: string, alias: string) => `${modelId}\u0000${alias}`;

export class StreamScorer {
  readonly debouncer: AlertDebouncer;
  private indexCache = new WeakMap<VersionSession, IndexCache[]>();
  private readonly now: () => number;

  constructor(
    private readonly registry: DeploymentRegistry,
    private readonly o: StreamScorerOptions,
  ) {
    this.debouncer = new AlertDebouncer(o.alert);
    this.now = o.now ?? Date.now;
  }

  /** Where the version's features sit in this message's names; null when it lacks some. */
  private indexFor(session: VersionSession, names: readonly string[]): Int32Array | null {
    let list = this.indexCache.get(session);
    if (list) {
      for (const c of list) {
        if (c.names === names) return c.index;
      }
      for (const c of list) {
        if (sameNames(c.names, names)) {
          // Remember this array too: the windows of one Kafka batch often share it.
          c.names = names;
          return c.index;
        }
      }
    } else {
      list = [];
      this.indexCache.set(session, list);
    }
    const { index, missing } = featureIndex(session.info.featureNames, names);
    const res = missing.length === 0 ? index : null;
    if (list.length < 8) list.push({ names, index: res });
    return res;
  }

  async score(messages: readonly FeaturesMessage[]): Promise<ScoredBatch> {
    const groups = new Map<VersionSession, Map<string, Group>>();
    let unmatched = 0;
    for (const m of messages) {
      if (this.o.windowKind !== 'any' && m.kind !== this.o.windowKind) continue;
      let matched = false;
      for (const entry of this.registry.modelsOf(m.orgId)) {
        for (const alias of this.o.aliases) {
          const route = entry.aliases.get(alias);
          if (!route) continue;
          const session = DeploymentRegistry.route(entry, route, m.vehicleId);
          // Sequence models need a history of windows; they are served over OIP only.
          if (session.info.inputShape.length !== 1) continue;
          const index = this.indexFor(session, m.names);
          if (!index) continue;
          matched = true;
          let byAlias = groups.get(session);
          if (!byAlias) groups.set(session, (byAlias = new Map<string, Group>()));
          let g = byAlias.get(alias);
          if (!g)
            byAlias.set(alias, (g = { session, entry, alias, scope: scopeOf(entry.modelId, alias), index, msgs: [] }));
          g.msgs.push(m);
        }
      }
      if (!matched) unmatched++;
    }

    const errors: ScoredBatch['errors'] = [];
    const perGroup = await Promise.all(
      [...groups.values()]
        .flatMap((byAlias) => [...byAlias.values()])
        .map(async (g) => {
          const s = g.session;
          const F = s.rowSize;
          const data = new Float32Array(g.msgs.length * F);
          const first = g.msgs[0]!.names;
          for (let i = 0; i < g.msgs.length; i++) {
            const m = g.msgs[i]!;
            fillRow(m.values, m.names === first ? g.index : this.indexFor(s, m.names)!, s.means, data, i * F);
          }
          const start = process.hrtime.bigint();
          try {
            const out = await s.infer(data, g.msgs.length);
            const seconds = Number(process.hrtime.bigint() - start) / 1e9;
            const labels = { ...s.metricLabels, source: 'stream' };
            inferenceMetrics.requestSeconds.observe(labels, seconds);
            inferenceMetrics.predictions.inc(labels, g.msgs.length);
            this.o.onServed?.(s.info.id, 'stream', g.msgs.length, seconds * 1e6);
            const scores = scoresOf(s.spec, out, g.msgs.length);
            this.o.onScored?.(s, data, g.msgs.length, scores);
            return { g, out, scores };
          } catch (err) {
            errors.push({ versionId: s.info.id, error: (err as Error).message, rows: g.msgs.length });
            return null;
          }
        }),
    );

    const at = this.now();
    const predictions: PredictionMessage[] = [];
    const alerts: AlertMessage[] = [];
    for (const r of perGroup) {
      if (!r) continue;
      const { g, out, scores } = r;
      const s = g.session;
      const rows = g.msgs.length;
      for (let i = 0; i < rows; i++) {
        const m = g.msgs[i]!;
        const score = scores[i]!;
        predictions.push({
          v: 1,
          orgId: m.orgId,
          runId: m.runId,
          vehicleId: m.vehicleId,
          windowStart: m.windowStart,
          windowEnd: m.windowEnd,
          modelId: s.info.modelId,
          modelName: s.info.modelName,
          modelVersionId: s.info.id,
          modelVersion: s.info.version,
          alias: g.alias,
          score,
          label: labelOf(s.spec, out, rows, i, score),
          threshold: s.spec.threshold,
          latencyMs: Math.max(0, at - m.emittedAt),
          at,
        });
        if (s.spec.threshold === null) continue;
        if (this.debouncer.observe(m.runId, m.vehicleId, g.scope, m.windowStart, crosses(s.spec, score), at)) {
          alerts.push({
            v: 1,
            id: alertId(m.runId, m.vehicleId, s.info.id, m.windowStart),
            orgId: m.orgId,
            runId: m.runId,
            vehicleId: m.vehicleId,
            modelId: s.info.modelId,
            modelName: s.info.modelName,
            modelVersionId: s.info.id,
            alias: g.alias,
            windowStart: m.windowStart,
            windowEnd: m.windowEnd,
            score,
            threshold: s.spec.threshold,
            k: this.o.alert.k,
            n: this.o.alert.n,
            at,
          });
        }
      }
    }
    return { predictions, alerts, unmatched, errors };
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
