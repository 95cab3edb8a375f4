import { createCallerFactory, createTRPCRouter } from './init';
import { apiKeysRouter } from './routers/api-keys';
import { auditRouter } from './routers/audit';
import { campaignsRouter } from './routers/campaigns';
import { datasetsRouter } from './routers/datasets';
import { driftRouter } from './routers/drift';
import { experimentsRouter } from './routers/experiments';
import { featuresRouter } from './routers/features';
import { fleetRouter } from './routers/fleet';
import { inferenceRouter } from './routers/inference';
import { authRouter } from './routers/auth';
import { invitesRouter } from './routers/invites';
import { mapsRouter } from './routers/maps';
import { membersRouter } from './routers/members';
import { modelsRouter } from './routers/models';
import { orgsRouter } from './routers/orgs';
import { runsRouter } from './routers/runs';
import { scenariosRouter } from './routers/scenarios';
import { ssoRouter } from './routers/sso';
import { systemRouter } from './routers/system';
import { trainingRouter } from './routers/training';

/** One router per domain, merged here. */
export const appRouter = createTRPCRouter({
  system: systemRouter,
  auth: authRouter,
  orgs: orgsRouter,
  members: membersRouter,
  invites: invitesRouter,
  apiKeys: apiKeysRouter,
  audit: auditRouter,
  scenarios: scenariosRouter,
  maps: mapsRouter,
  runs: runsRouter,
  campaigns: campaignsRouter,
  features: featuresRouter,
  fleet: fleetRouter,
  datasets: datasetsRouter,
  training: trainingRouter,
  experiments: experimentsRouter,
  models: modelsRouter,
  inference: inferenceRouter,
  drift: driftRouter,
  sso: ssoRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
