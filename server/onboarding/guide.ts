/**
 * The first-use path on an org's overview: scenario → run → dataset → train → deploy → watch
 * alerts. Each step is ticked from the org's own data (never from what this browser did), so a
 * teammate's work counts and the list is the same for everyone in the org.
 */
import type { PrismaClient } from '@prisma/client';

/** What the org has done so far: counts of the rows that prove each step. */
export interface GuideFacts {
  scenarios: number;
  finishedRuns: number;
  datasetVersions: number;
  modelVersions: number;
  aliases: number;
  alerts: number;
}

export type GuideStepId = 'scenario' | 'run' | 'dataset' | 'train' | 'deploy' | 'alerts';

export interface GuideStep {
  id: GuideStepId;
  title: string;
  /** What to do, in one line. */
  hint: string;
  done: boolean;
  /** Where to do it (or, once done, where to see it). */
  href: string;
  action: string;
}

/** The six steps in order, each ticked from `facts`; `next` is the first not yet done. */
export function guideSteps(slug: string, facts: GuideFacts): { steps: GuideStep[]; next: GuideStepId | null } {
  const o = `/${slug}`;
  const steps: GuideStep[] = [
    {
      id: 'scenario',
      title: 'Describe a scenario',
      hint: 'A road, traffic and the faults to inject, from the form or an OpenSCENARIO file.',
      done: facts.scenarios > 0,
      href: facts.scenarios > 0 ? `${o}/scenarios` : `${o}/scenarios/new`,
      action: facts.scenarios > 0 ? 'See scenarios' : 'Create a scenario',
    },
    {
      id: 'run',
      title: 'Run it',
      hint: 'Start a run from a scenario and watch its vehicles live.',
      done: facts.finishedRuns > 0,
      href: facts.finishedRuns > 0 ? `${o}/runs` : `${o}/scenarios`,
      action: facts.finishedRuns > 0 ? 'See runs' : 'Start a run',
    },
    {
      id: 'dataset',
      title: 'Build a dataset',
      hint: "Turn finished runs' features (or an uploaded table) into labelled training data.",
      done: facts.datasetVersions > 0,
      href: facts.datasetVersions > 0 ? `${o}/datasets` : `${o}/datasets/new`,
      action: facts.datasetVersions > 0 ? 'See datasets' : 'Build a dataset',
    },
    {
      id: 'train',
      title: 'Train a model',
      hint: 'Train on a dataset version; the result is registered as a model version.',
      done: facts.modelVersions > 0,
      href: facts.modelVersions > 0 ? `${o}/models` : `${o}/training/new`,
      action: facts.modelVersions > 0 ? 'See models' : 'Start training',
    },
    {
      id: 'deploy',
      title: 'Deploy it',
      hint: 'Point an alias such as "production" at a version: it then scores live runs.',
      done: facts.aliases > 0,
      href: `${o}/models`,
      action: facts.aliases > 0 ? 'See deployments' : 'Promote a version',
    },
    {
      id: 'alerts',
      title: 'Watch alerts',
      hint: 'Run a scenario with a fault while a model is deployed and see its alerts arrive.',
      done: facts.alerts > 0,
      href: `${o}/serving`,
      action: 'Open serving',
    },
  ];
  return { steps, next: steps.find((s) => !s.done)?.id ?? null };
}

/** The facts of one org, every count filtered by its orgId. */
export async function loadGuideFacts(db: PrismaClient, orgId: string): Promise<GuideFacts> {
  const [scenarios, finishedRuns, datasetVersions, modelVersions, aliases, alerts] = await Promise.all([
    db.scenario.count({ where: { orgId } }),
    db.run.count({ where: { orgId, state: 'completed' } }),
    db.datasetVersion.count({ where: { orgId } }),
    db.modelVersion.count({ where: { orgId } }),
    db.modelAlias.count({ where: { orgId } }),
    db.alert.count({ where: { orgId } }),
  ]);
  return { scenarios, finishedRuns, datasetVersions, modelVersions, aliases, alerts };
}
