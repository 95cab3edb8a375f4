import { createCallerFactory, createTRPCRouter } from './init';
import { systemRouter } from './routers/system';

/** One router per domain, merged here. */
export const appRouter = createTRPCRouter({
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
