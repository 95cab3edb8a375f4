import { z } from 'zod';
import { auditAs } from '../../audit';
import { driftPolicySchema } from '../../drift/check';
import type { ColumnDrift, DriftReport } from '../../drift/report';
import { DEFAULT_DRIFT_WINDOW, driftWindowConfigSchema } from '../../drift/serving';
import { AppError } from '../../errors';
import { createTRPCRouter, orgProcedure } from '../init';

const id = z.string().min(1).max(64);
/** Reports in a model's trend; the newest one is returned whole (histograms), the rest as distances. */
const TREND_REPORTS = 50;

type Column = Pick<ColumnDrift, 'column' | 'drifted' | 'distance' | 'pValue' | 'psi' | 'test' | 'statistic'>;

const trendPoint = (c: ColumnDrift | null | undefined) =>
  c ? { drifted: c.drifted, distance: c.distance, pValue: c.pValue } : null;

export const driftRouter = createTRPCRouter({
  /** A model's drift: its settings, the newest report whole, and a trend of every column. */
  model: orgProcedure
    .meta({ minRole: 'viewer', sample: (ids) => ({ modelId: ids.modelId }) })
    .input(z.object({ modelId: id }))
    .query(async ({ ctx, input }) => {
      const model = await ctx.db.registeredModel.findFirst({
        where: { id: input.modelId, orgId: ctx.orgId },
        select: { id: true, name: true, driftPolicy: true, driftWindow: true },
      });
      if (!model) throw new AppError('NOT_FOUND', 'Model not found');
      const rows = await ctx.db.driftReport.findMany({
        where: { orgId: ctx.orgId, modelId: model.id },
        orderBy: { windowEnd: 'desc' },
        take: TREND_REPORTS,
      });
      const versions = await ctx.db.modelVersion.findMany({
        where: { id: { in: [...new Set(rows.map((r) => r.modelVersionId))] }, orgId: ctx.orgId },
        select: { id: true, version: true },
      });
      const versionOf = new Map(versions.map((v) => [v.id, v.version]));
      const reports = rows.map((r) => ({ ...r, version: versionOf.get(r.modelVersionId) ?? null }));
      const latest = reports[0] ?? null;
      const parsed = reports.map((r) => r.report as unknown as DriftReport);
      const columns = latest ? parsed[0]!.columns.map((c) => c.column) : [];
      // Oldest first for the charts.
      const trend = reports
        .map((r, i) => ({
          reportId: r.id,
          windowStart: r.windowStart,
          windowEnd: r.windowEnd,
          version: r.version,
          rows: r.rows,
          driftedShare: r.driftedShare,
          datasetDrift: r.datasetDrift,
          columns: Object.fromEntries(
            columns.map((name) => [name, trendPoint(parsed[i]!.columns.find((c) => c.column === name))]),
          ),
          prediction: trendPoint(parsed[i]!.prediction),
        }))
        .reverse();
      return {
        model: { id: model.id, name: model.name },
        policy: driftPolicySchema.catch('notify').parse(model.driftPolicy),
        window: driftWindowConfigSchema.catch(DEFAULT_DRIFT_WINDOW).parse(model.driftWindow ?? DEFAULT_DRIFT_WINDOW),
        latest: latest
          ? {
              id: latest.id,
              version: latest.version,
              windowStart: latest.windowStart,
              windowEnd: latest.windowEnd,
              rows: latest.rows,
              datasetDrift: latest.datasetDrift,
              driftedShare: latest.driftedShare,
              policy: latest.policy,
              retrainJobId: latest.retrainJobId,
              report: parsed[0]!,
            }
          : null,
        trend,
        summary: latest
          ? parsed[0]!.columns.map((c): Column => ({
              column: c.column,
              drifted: c.drifted,
              distance: c.distance,
              pValue: c.pValue,
              psi: c.psi,
              test: c.test,
              statistic: c.statistic,
            }))
          : [],
      };
    }),

  /** The model's policy and how serving windows its traffic. */
  setSettings: orgProcedure
    .meta({
      minRole: 'engineer',
      sample: (ids) => ({ modelId: ids.modelId, policy: 'notify', window: { kind: 'time', seconds: 300 } }),
    })
    .input(z.object({ modelId: id, policy: driftPolicySchema, window: driftWindowConfigSchema }))
    .mutation(async ({ ctx, input }) => {
      const { count } = await ctx.db.registeredModel.updateMany({
        where: { id: input.modelId, orgId: ctx.orgId },
        data: { driftPolicy: input.policy, driftWindow: input.window },
      });
      if (count === 0) throw new AppError('NOT_FOUND', 'Model not found');
      await auditAs(ctx.db, ctx, {
        action: 'model.drift_settings',
        target: { type: 'model', id: input.modelId },
        data: { policy: input.policy, window: input.window },
      });
      return { policy: input.policy, window: input.window };
    }),
});
