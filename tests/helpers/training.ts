import { spawn, type ChildProcess } from 'node:child_process';
import { POST as uploadDataset } from '~/app/api/v1/datasets/upload/route';
import { db } from '~/server/db';
import { callerFor, userCaller, type OrgFixture } from './tenancy';
import { labelledTable } from '~/scripts/fixtures/labelled-table';

/** The trainer worker as its own process, exactly as deployed (node --import tsx workers/trainer/main.ts). */
export function spawnTrainer(env: Record<string, string> = {}): {
  child: ChildProcess;
  exited: Promise<number | null>;
  stop: () => Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/trainer/main.ts'], {
    env: {
      ...process.env,
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      DRIVELAB_SERVICE: 'trainer-test',
      TRAINER_POLL_S: '0.5',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export async function waitForJob(
  jobId: string,
  ok: (j: { state: string; epoch: number; attempts: number; error: string | null }) => boolean,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const j = await db.trainingJob.findUniqueOrThrow({ where: { id: jobId } });
    if (ok(j)) return j;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for job ${jobId} (state ${j.state}, epoch ${j.epoch}, attempts ${j.attempts}, error ${j.error})`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** multipart/form-data upload request for POST /api/v1/datasets/upload. */
export function uploadRequest(apiKey: string, fileName: string, text: string, options: unknown): Request {
  const form = new FormData();
  form.set('file', new File([text], fileName, { type: 'text/plain' }));
  form.set('options', JSON.stringify(options));
  return new Request('http://x/api/v1/datasets/upload', {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}` },
    body: form,
  });
}

/**
 * Uploads the labelled vehicle table (a binary label per row, grouped by vehicle, ordered by t)
 * as a dataset named `name`, as a user would through the REST API; the new version's id.
 */
export async function uploadLabelledVehicles(apiKey: string, name: string): Promise<string> {
  const res = await uploadDataset(
    uploadRequest(apiKey, 'vehicles.csv', labelledTable(), {
      name,
      groupColumn: 'vehicle',
      orderColumn: 't',
      groupKind: 'vehicle',
      label: { type: 'column', column: 'label', kind: 'binary' },
    }),
  );
  if (res.status !== 201) throw new Error(`dataset upload answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { versionId: string }).versionId;
}

export function jsonRequest(
  url: string,
  apiKey: string | null,
  body?: unknown,
  method = body === undefined ? 'GET' : 'POST',
): Request {
  return new Request(`http://x${url}`, {
    method,
    headers: { ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

import type { Prisma } from '@prisma/client';
import type pg from 'pg';
import { applyRunEvent } from '~/server/runs/tracking';
import { createWindowOperator } from '~/workers/features';
import { buildUpsertStatements } from '~/workers/features/offline-sql';
import { runScenario } from '~/workers/sim';

/**
 * A simulated run as the pipeline would leave it in Postgres: the Run row, its windows in the
 * offline store (the features worker's operator and upsert SQL) and its events (run tracking's
 * handler, which writes the fault_start/fault_end ground truth).
 */
export async function materialiseSimulatedRun(
  pool: pg.Pool,
  fixture: { orgId: string; scenarioId: string },
  spec: Record<string, unknown>,
): Promise<string> {
  const scenario = await db.scenario.findUniqueOrThrow({
    where: { id: fixture.scenarioId },
    include: { versions: true },
  });
  const run = await db.run.create({
    data: {
      orgId: fixture.orgId,
      scenarioId: scenario.id,
      scenarioVersionId: scenario.versions[0]!.id,
      state: 'completed',
      params: spec as Prisma.InputJsonValue,
      finishedAt: new Date(),
    },
  });
  const op = createWindowOperator();
  const windows = [];
  const events = [];
  let offset = 0;
  for (const step of runScenario(spec, {
    orgId: fixture.orgId,
    runId: run.id,
    clock: () => 1_700_000_000_000,
  })) {
    for (const f of step.frames) windows.push(...op.ingest(f, { partition: 0, offset: offset++ }, 0).emitted);
    events.push(...step.events);
  }
  windows.push(...op.flush(0).emitted);
  for (const s of buildUpsertStatements(windows)) await pool.query(s.text, s.values);
  for (const e of events) await applyRunEvent(db, e);
  return run.id;
}

/**
 * Starts an autoencoder job as the org's engineer would from the portal. Patience equals the
 * epochs, so the job runs them all (no early stop) and is still running while a test acts on it.
 */
export function startAutoencoderJob(
  org: OrgFixture,
  datasetVersionId: string,
  modelName: string,
  run: { epochs: number; batchSize: number; maxAttempts?: number },
) {
  return callerFor(userCaller(org.users.engineer)).training.start({
    org: org.org.slug,
    datasetVersionId,
    kind: 'autoencoder',
    modelName,
    params: { epochs: run.epochs, patience: run.epochs, batchSize: run.batchSize },
    ...(run.maxAttempts !== undefined ? { maxAttempts: run.maxAttempts } : {}),
  });
}
