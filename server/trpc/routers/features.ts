import { Prisma } from '@prisma/client';
import { AppError } from '../../errors';
import { z } from 'zod';
import { FEATURE_SET } from '../../contracts/features';
import { createTRPCRouter, orgProcedure } from '../init';

const id = z.string().min(1).max(64);

export interface FeatureRow {
  runId: string;
  vehicleId: string;
  windowStart: number;
  windowEnd: number;
  windowSize: number;
  kind: string;
  featureSetVersion: string;
  frameCount: number;
  revision: number;
  /** Aligned with the feature set's names; null where a window had no data for a feature. */
  values: (number | null)[];
}

// Raw SQL: the values array holds NULLs, which Prisma's Float[] cannot carry.
const COLUMNS = Prisma.sql`"runId", "vehicleId", "windowStart", "windowEnd", "windowSize", kind, "featureSetVersion", "frameCount", revision, "values"`;

/** The offline feature store (Postgres), read point-in-time correctly. */
export const featuresRouter = createTRPCRouter({
  featureSet: orgProcedure.meta({ minRole: 'viewer', sample: () => ({}) }).query(() => FEATURE_SET),

  /**
   * The features of a vehicle as they were known at event time `t`: the newest window that had
   * already closed by then (windowEnd ≤ t), and only if it is younger than the TTL — never a
   * window from the future, which would leak labels into training data.
   */
  asOf: orgProcedure
    .meta({ minRole: 'viewer', sample: (ids) => ({ runId: ids.runId, vehicleId: 'ego', t: 10 }) })
    .input(
      z.object({
        runId: id,
        vehicleId: z.string().min(1).max(64),
        t: z.number().nonnegative(),
        windowSize: z.number().positive().default(1),
        ttlS: z.number().positive().max(86_400).default(30),
      }),
    )
    .query(async ({ ctx, input }) => {
      const run = await ctx.db.run.findFirst({ where: { id: input.runId, orgId: ctx.orgId }, select: { id: true } });
      if (!run) throw new AppError('NOT_FOUND', 'Run not found');
      const rows = await ctx.db.$queryRaw<FeatureRow[]>`
        SELECT ${COLUMNS} FROM "FeatureWindow"
        WHERE "orgId" = ${ctx.orgId} AND "runId" = ${input.runId} AND "vehicleId" = ${input.vehicleId}
          AND "windowSize" = ${input.windowSize} AND "windowEnd" <= ${input.t} AND "windowEnd" > ${input.t - input.ttlS}
        ORDER BY "windowEnd" DESC LIMIT 1`;
      return { names: FEATURE_SET.names, row: rows[0] ?? null };
    }),

  /** Windows of chosen runs (and an optional event-time range), for datasets and charts. */
  dataset: orgProcedure
    .meta({ minRole: 'viewer', sample: (ids) => ({ runIds: [ids.runId] }) })
    .input(
      z.object({
        runIds: z.array(id).min(1).max(200),
        vehicleId: z.string().max(64).optional(),
        from: z.number().optional(),
        to: z.number().optional(),
        kind: z.enum(['tumbling', 'sliding']).default('tumbling'),
        limit: z.number().int().min(1).max(50_000).default(5000),
      }),
    )
    .query(async ({ ctx, input }) => {
      const owned = await ctx.db.run.findMany({
        where: { id: { in: input.runIds }, orgId: ctx.orgId },
        select: { id: true },
      });
      if (owned.length !== new Set(input.runIds).size) throw new AppError('NOT_FOUND', 'Run not found');
      const rows = await ctx.db.$queryRaw<FeatureRow[]>`
        SELECT ${COLUMNS} FROM "FeatureWindow"
        WHERE "orgId" = ${ctx.orgId} AND "runId" IN (${Prisma.join(input.runIds)}) AND kind = ${input.kind}
          ${input.vehicleId ? Prisma.sql`AND "vehicleId" = ${input.vehicleId}` : Prisma.empty}
          ${input.from !== undefined ? Prisma.sql`AND "windowStart" >= ${input.from}` : Prisma.empty}
          ${input.to !== undefined ? Prisma.sql`AND "windowStart" < ${input.to}` : Prisma.empty}
        ORDER BY "runId", "vehicleId", "windowStart"
        LIMIT ${input.limit + 1}`;
      return { names: FEATURE_SET.names, rows: rows.slice(0, input.limit), truncated: rows.length > input.limit };
    }),
});
