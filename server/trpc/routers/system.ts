import { healthReport } from '../../health';
import { createTRPCRouter, publicProcedure } from '../init';

export const systemRouter = createTRPCRouter({
  /** The same real checks as /api/health, for the portal's status page. */
  health: publicProcedure.query(() => healthReport()),
});
