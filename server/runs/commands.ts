import type { Prisma, PrismaClient } from '@prisma/client';
import { AppError } from '../errors';
import { runRefusal, scenarioSchema, type Scenario } from '../contracts/scenario';
import { simCommandSchema, type SimCommand } from '../contracts/sim-commands';
import { TOPICS } from '../kafka/topics';
import { sharedProducer } from '../kafka/producer';
import { typedProducer } from '../kafka/typed';

export const TERMINAL_STATES = ['completed', 'failed', 'cancelled'] as const;

async function sendCommand(command: SimCommand): Promise<void> {
  const out = typedProducer(await sharedProducer(), TOPICS.simCommands, simCommandSchema);
  await out.send([{ key: command.runId, value: command }]);
}

/** Sets a dotted path ("traffic.vehicles") of a scenario to a value; campaigns sweep with it. */
export function withParams(spec: Scenario, params: Record<string, unknown> | null | undefined): Scenario {
  if (!params || Object.keys(params).length === 0) return spec;
  const copy = structuredClone(spec) as Record<string, unknown>;
  for (const [path, value] of Object.entries(params)) {
    const keys = path.split('.');
    let node = copy;
    for (const k of keys.slice(0, -1)) {
      if (typeof node[k] !== 'object' || node[k] === null) node[k] = {};
      node = node[k] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]!] = value;
  }
  return scenarioSchema.parse(copy);
}

/** Creates a queued run of a scenario version; `dispatch` also sends its start command now. */
export async function createRun(
  db: PrismaClient,
  input: {
    orgId: string;
    scenarioId: string;
    version?: number;
    createdById?: string | null;
    campaignId?: string;
    params?: Record<string, unknown>;
    dispatch: boolean;
  },
) {
  const scenario = await db.scenario.findFirst({
    where: { id: input.scenarioId, orgId: input.orgId },
    select: { id: true, latestVersion: true, archivedAt: true },
  });
  if (!scenario) throw new AppError('NOT_FOUND', 'Scenario not found');
  if (scenario.archivedAt)
    throw new AppError('PRECONDITION_FAILED', 'This scenario is archived; restore it before running it.');
  const version = await db.scenarioVersion.findUnique({
    where: { scenarioId_version: { scenarioId: scenario.id, version: input.version ?? scenario.latestVersion } },
  });
  if (!version) throw new AppError('NOT_FOUND', `Version ${input.version} of this scenario does not exist`);
  const spec = withParams(scenarioSchema.parse(version.spec), input.params);
  const refusal = runRefusal(spec);
  if (refusal) throw new AppError('PRECONDITION_FAILED', refusal);
  const run = await db.run.create({
    data: {
      orgId: input.orgId,
      scenarioId: scenario.id,
      scenarioVersionId: version.id,
      campaignId: input.campaignId ?? null,
      params: (input.params ?? undefined) as Prisma.InputJsonValue | undefined,
      createdById: input.createdById ?? null,
    },
  });
  if (input.dispatch) await dispatchRun(db, run.id);
  return run;
}

/** Sends the start command of a queued run (its scenario version with its campaign parameters). */
export async function dispatchRun(db: PrismaClient, runId: string): Promise<void> {
  const run = await db.run.findUniqueOrThrow({ where: { id: runId }, include: { scenarioVersion: true } });
  const scenario = withParams(
    scenarioSchema.parse(run.scenarioVersion.spec),
    run.params as Record<string, unknown> | null,
  );
  if (!run.dispatchedAt) await db.run.update({ where: { id: run.id }, data: { dispatchedAt: new Date() } });
  try {
    await sendCommand({
      v: 1,
      type: 'start',
      runId: run.id,
      orgId: run.orgId,
      scenarioVersionId: run.scenarioVersionId,
      scenario,
    });
  } catch (err) {
    await db.run.update({
      where: { id: run.id },
      data: {
        state: 'failed',
        error: `Could not reach the simulator queue: ${(err as Error).message}`,
        finishedAt: new Date(),
      },
    });
    throw new AppError('SERVICE_UNAVAILABLE', 'The simulator queue (Kafka) is not reachable; the run was not started.');
  }
}

export async function cancelRun(db: PrismaClient, orgId: string, runId: string): Promise<{ state: string }> {
  const run = await db.run.findFirst({ where: { id: runId, orgId } });
  if (!run) throw new AppError('NOT_FOUND', 'Run not found');
  if ((TERMINAL_STATES as readonly string[]).includes(run.state)) return { state: run.state };
  if (run.state === 'queued' && run.campaignId) {
    // Never dispatched: nothing runs it yet, so it is simply cancelled here.
    const r = await db.run.updateMany({
      where: { id: run.id, state: 'queued' },
      data: { state: 'cancelled', finishedAt: new Date() },
    });
    if (r.count === 1) return { state: 'cancelled' };
  }
  await sendCommand({ v: 1, type: 'cancel', runId: run.id, orgId });
  return { state: run.state };
}
