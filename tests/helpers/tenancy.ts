import { randomBytes } from 'node:crypto';
import type { Prisma } from '@prisma/client';
import { scenarioPresets } from '~/server/contracts/scenario';
import type { Caller } from '~/server/auth/caller';
import type { Role } from '~/server/auth/roles';
import { generateApiKey, generateInviteToken } from '~/server/auth/tokens';
import { db } from '~/server/db';
import type { SampleIds } from '~/server/trpc/init';
import { createCaller } from '~/server/trpc/root';

export function ctxFor(caller: Caller) {
  return { db, headers: new Headers(), ip: '127.0.0.1', caller, callerError: null };
}

export function callerFor(caller: Caller) {
  return createCaller(ctxFor(caller));
}

export const userCaller = (u: { id: string; email: string }): Caller => ({
  kind: 'user',
  userId: u.id,
  email: u.email,
  name: null,
});

export interface OrgFixture {
  org: { id: string; slug: string; name: string };
  users: Record<Role, { id: string; email: string; membershipId: string }>;
  ids: SampleIds;
  apiKey: { id: string; key: string };
}

/** An org with one member of every role, an open invitation and an owner API key. */
export async function makeOrg(label: string): Promise<OrgFixture> {
  const tag = `${label}-${randomBytes(4).toString('hex')}`;
  const org = await db.organization.create({
    data: { name: `Org ${tag}`, slug: tag },
    select: { id: true, slug: true, name: true },
  });
  const users = {} as OrgFixture['users'];
  for (const role of ['owner', 'admin', 'engineer', 'viewer'] as const) {
    const email = `${role}-${tag}@example.test`;
    const user = await db.user.create({ data: { email, name: `${role} ${tag}` } });
    const m = await db.membership.create({ data: { orgId: org.id, userId: user.id, role } });
    users[role] = { id: user.id, email, membershipId: m.id };
  }
  const invite = await db.invite.create({
    data: {
      orgId: org.id,
      tokenHash: generateInviteToken().hash,
      role: 'viewer',
      expiresAt: new Date(Date.now() + 3600_000),
    },
  });
  const k = generateApiKey();
  const apiKey = await db.apiKey.create({
    data: { orgId: org.id, name: 'fixture', prefix: k.prefix, hash: k.hash, role: 'owner' },
  });
  const spec = scenarioPresets.highway_cruise as unknown as Prisma.InputJsonValue;
  const scenario = await db.scenario.create({
    data: { orgId: org.id, name: `Scenario ${tag}`, versions: { create: { orgId: org.id, version: 1, spec } } },
    include: { versions: true },
  });
  const run = await db.run.create({
    data: { orgId: org.id, scenarioId: scenario.id, scenarioVersionId: scenario.versions[0]!.id, state: 'completed' },
  });
  const campaign = await db.campaign.create({
    data: {
      orgId: org.id,
      name: `Campaign ${tag}`,
      scenarioId: scenario.id,
      scenarioVersionId: scenario.versions[0]!.id,
      strategy: 'grid',
      sweep: [],
      runCount: 0,
      state: 'completed',
    },
  });
  // A registered model with one version and a staging alias (rows only: isolation needs no artifacts).
  const model = await db.registeredModel.create({ data: { orgId: org.id, name: `Model ${tag}`, kind: 'autoencoder' } });
  const modelVersion = await db.modelVersion.create({
    data: {
      orgId: org.id,
      modelId: model.id,
      version: 1,
      kind: 'autoencoder',
      featureNames: ['speed'],
      metrics: { f1: 0.9 },
      onnxKey: `models/${org.id}/${model.id}/v1/model.onnx`,
      inputShape: [1],
      outputShape: [1],
    },
  });
  await db.modelAlias.create({
    data: { orgId: org.id, modelId: model.id, name: 'staging', versionId: modelVersion.id },
  });
  const training = await makeTrainingFixture(org.id, tag);
  return {
    org,
    users,
    ids: {
      membershipId: users.viewer.membershipId,
      inviteId: invite.id,
      apiKeyId: apiKey.id,
      userId: users.viewer.id,
      scenarioId: scenario.id,
      runId: run.id,
      campaignId: campaign.id,
      modelId: model.id,
      modelVersionId: modelVersion.id,
      ...training,
    },
    apiKey: { id: apiKey.id, key: k.key },
  };
}

/** A dataset version, experiment, finished job and run, and a retraining schedule (rows only). */
async function makeTrainingFixture(orgId: string, tag: string) {
  const dataset = await db.dataset.create({
    data: { orgId, name: `Dataset ${tag}`, source: 'upload', latestVersion: 1 },
  });
  const version = await db.datasetVersion.create({
    data: {
      orgId,
      datasetId: dataset.id,
      version: 1,
      spec: { source: 'upload' },
      fingerprint: `sha256:${tag}`,
      featureNames: ['a', 'b'],
      labelKind: 'binary',
      labelName: 'y',
      classes: ['0', '1'],
      groupBy: 'unit',
      rowCount: 4,
      groupCount: 2,
      stats: {},
      dataKey: `datasets/${orgId}/${dataset.id}/v1/data.bin`,
    },
  });
  const experiment = await db.experiment.create({ data: { orgId, name: `Experiment ${tag}` } });
  const job = await db.trainingJob.create({
    data: {
      orgId,
      experimentId: experiment.id,
      datasetVersionId: version.id,
      kind: 'autoencoder',
      modelName: `Model ${tag}`,
      params: {},
      state: 'completed',
    },
  });
  const run = await db.experimentRun.create({
    data: {
      orgId,
      experimentId: experiment.id,
      jobId: job.id,
      name: 'autoencoder #1',
      kind: 'autoencoder',
      state: 'completed',
      params: {},
      datasetVersionId: version.id,
      datasetFingerprint: version.fingerprint,
    },
  });
  const schedule = await db.retrainSchedule.create({
    data: {
      orgId,
      modelName: `Model ${tag}`,
      cron: '0 3 * * *',
      datasetId: dataset.id,
      experimentId: experiment.id,
      kind: 'autoencoder',
      params: {},
    },
  });
  return {
    datasetId: dataset.id,
    datasetVersionId: version.id,
    experimentId: experiment.id,
    experimentRunId: run.id,
    trainingJobId: job.id,
    retrainScheduleId: schedule.id,
  };
}

/** Everything of an org that another tenant must never change, as comparable JSON. */
export async function snapshotOrg(orgId: string): Promise<string> {
  const [org, memberships, invites, keys, scenarios, runs, campaigns, models, aliases, aliasEvents, training] =
    await Promise.all([
      db.organization.findUnique({ where: { id: orgId }, select: { name: true, slug: true } }),
      db.membership.findMany({
        where: { orgId },
        select: { id: true, role: true, userId: true },
        orderBy: { id: 'asc' },
      }),
      db.invite.findMany({
        where: { orgId },
        select: { id: true, revokedAt: true, acceptedAt: true },
        orderBy: { id: 'asc' },
      }),
      db.apiKey.findMany({
        where: { orgId },
        select: { id: true, revokedAt: true, role: true },
        orderBy: { id: 'asc' },
      }),
      db.scenario.findMany({
        where: { orgId },
        select: { id: true, name: true, latestVersion: true, archivedAt: true },
        orderBy: { id: 'asc' },
      }),
      db.run.findMany({ where: { orgId }, select: { id: true, state: true }, orderBy: { id: 'asc' } }),
      db.campaign.findMany({ where: { orgId }, select: { id: true, state: true }, orderBy: { id: 'asc' } }),
      db.registeredModel.findMany({
        where: { orgId },
        select: { id: true, name: true, _count: { select: { versions: true } } },
        orderBy: { id: 'asc' },
      }),
      db.modelAlias.findMany({
        where: { orgId },
        select: { id: true, name: true, versionId: true, canaryVersionId: true, canaryWeight: true },
        orderBy: { id: 'asc' },
      }),
      db.modelAliasEvent.count({ where: { orgId } }),
      snapshotTraining(orgId),
    ]);
  return JSON.stringify({
    org,
    memberships,
    invites,
    keys,
    scenarios,
    runs,
    campaigns,
    models,
    aliases,
    aliasEvents,
    training,
  });
}

async function snapshotTraining(orgId: string) {
  const [datasets, jobs, experiments, runs, schedules] = await Promise.all([
    db.dataset.findMany({ where: { orgId }, select: { id: true, latestVersion: true }, orderBy: { id: 'asc' } }),
    db.trainingJob.findMany({
      where: { orgId },
      select: { id: true, state: true, cancelRequested: true },
      orderBy: { id: 'asc' },
    }),
    db.experiment.findMany({ where: { orgId }, select: { id: true, name: true }, orderBy: { id: 'asc' } }),
    db.experimentRun.findMany({
      where: { orgId },
      select: { id: true, tags: true, state: true },
      orderBy: { id: 'asc' },
    }),
    db.retrainSchedule.findMany({
      where: { orgId },
      select: { id: true, cron: true, enabled: true },
      orderBy: { id: 'asc' },
    }),
  ]);
  return { datasets, jobs, experiments, runs, schedules };
}
