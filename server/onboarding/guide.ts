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

/** Where a step links and what its button says: one pair before the step is done, one after. */
interface StepLink {
  href: string;
  action: string;
}

/**
 * A step proven by `count` rows of the org: done once there is one, and then linking to where
 * to see them rather than to where to make the first.
 */
function countedStep(
  step: Pick<GuideStep, 'id' | 'title' | 'hint'>,
  count: number,
  todo: StepLink,
  seen: StepLink,
): GuideStep {
  const done = count > 0;
  return { ...step, done, ...(done ? seen : todo) };
}

/** The six steps in order, each ticked from `facts`; `next` is the first not yet done. */
export function guideSteps(slug: string, facts: GuideFacts): { steps: GuideStep[]; next: GuideStepId | null } {
  const o = `/${slug}`;
  const steps: GuideStep[] = [
    countedStep(
      {
        id: 'scenario',
        title: 'Describe a scenario',
        hint: 'A road, traffic and the faults to inject, from the form or an OpenSCENARIO file.',
      },
      facts.scenarios,
      { href: `${o}/scenarios/new`, action: 'Create a scenario' },
      { href: `${o}/scenarios`, action: 'See scenarios' },
    ),
    countedStep(
      { id: 'run', title: 'Run it', hint: 'Start a run from a scenario and watch its vehicles live.' },
      facts.finishedRuns,
      { href: `${o}/scenarios`, action: 'Start a run' },
      { href: `${o}/runs`, action: 'See runs' },
    ),
    countedStep(
      {
        id: 'dataset',
        title: 'Build a dataset',
        hint: "Turn finished runs' features (or an uploaded table) into labelled training data.",
      },
      facts.datasetVersions,
      { href: `${o}/datasets/new`, action: 'Build a dataset' },
      { href: `${o}/datasets`, action: 'See datasets' },
    ),
    countedStep(
      {
        id: 'train',
        title: 'Train a model',
        hint: 'Train on a dataset version; the result is registered as a model version.',
      },
      facts.modelVersions,
      { href: `${o}/training/new`, action: 'Start training' },
      { href: `${o}/models`, action: 'See models' },
    ),
    countedStep(
      {
        id: 'deploy',
        title: 'Deploy it',
        hint: 'Point an alias such as "production" at a version: it then scores live runs.',
      },
      facts.aliases,
      { href: `${o}/models`, action: 'Promote a version' },
      { href: `${o}/models`, action: 'See deployments' },
    ),
    countedStep(
      {
        id: 'alerts',
        title: 'Watch alerts',
        hint: 'Run a scenario with a fault while a model is deployed and see its alerts arrive.',
      },
      facts.alerts,
      { href: `${o}/serving`, action: 'Open serving' },
      { href: `${o}/serving`, action: 'Open serving' },
    ),
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
