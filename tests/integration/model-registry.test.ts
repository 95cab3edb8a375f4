import { randomBytes } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelDeploymentChangedSchema, type ModelDeploymentChanged } from '~/server/contracts/models';
import { db } from '~/server/db';
import { env } from '~/server/env';
import { createKafka, topic } from '~/server/kafka/client';
import { decodeMessage } from '~/server/kafka/messages';
import { disconnectSharedProducer } from '~/server/kafka/producer';
import { TOPICS } from '~/server/kafka/topics';
import { moveAlias } from '~/server/models/aliases';
import { registerDemoVersion } from '~/scripts/demo-model';
import { callerFor, makeOrg, userCaller, type OrgFixture } from '../helpers/tenancy';

const { GET: listRoute } = await import('~/app/api/v1/models/route');
const { GET: downloadRoute } = await import('~/app/api/v1/models/[model]/versions/[version]/[file]/route');

/**
 * The registry end to end on the real stack: versions come from a real (tiny) autoencoder trained
 * with the trainer core and exported to ONNX; alias moves go through the tRPC router, land in
 * Postgres (alias, event, audit) and on the real dl.models topic (prefix from KAFKA_TOPIC_PREFIX).
 */
let a: OrgFixture;
let b: OrgFixture;
let modelId: string;
const modelName = `detector-${randomBytes(3).toString('hex')}`;
const v: Record<
  1 | 2 | 3,
  { id: string; version: number; metrics: Record<string, number>; onnx: Uint8Array; sidecar: unknown }
> = {} as never;
/** Every successful move, in order: each must produce exactly one dl.models message. */
const moves: {
  action: string;
  alias: string;
  versionId: string | null;
  canaryVersionId: string | null;
  canaryWeight: number;
}[] = [];

const as = (f: OrgFixture, role: keyof OrgFixture['users']) => callerFor(userCaller(f.users[role]));
/** `caller` points `alias` of this suite's model at a version, if the gate lets it. */
const promoteGated = (
  caller: ReturnType<typeof as>,
  versionId: string,
  alias: string,
  gate: NonNullable<Parameters<ReturnType<typeof as>['models']['promote']>[0]['gate']>,
) => caller.models.promote({ org: a.org.slug, modelId, versionId, alias, gate });
async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TRPCError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected the call to fail');
}
async function moved<
  T extends {
    action: string;
    alias: string;
    versionId: string | null;
    canaryVersionId: string | null;
    canaryWeight: number;
    published: boolean;
  },
>(p: Promise<T>): Promise<T> {
  const r = await p;
  expect(r.published).toBe(true);
  moves.push({
    action: r.action === 'canary_clear' ? 'canary' : r.action,
    alias: r.alias,
    versionId: r.versionId,
    canaryVersionId: r.canaryVersionId,
    canaryWeight: r.canaryWeight,
  });
  return r;
}
const aliasRow = (name: string) => db.modelAlias.findUnique({ where: { modelId_name: { modelId, name } } });
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const download = (key: string | null, model: string, version: string, file: string) =>
  downloadRoute(
    new Request(`http://localhost/api/v1/models/${model}/versions/${version}/${file}`, {
      headers: key ? bearer(key) : {},
    }),
    { params: Promise.resolve({ model, version, file }) },
  );

beforeAll(async () => {
  [a, b] = [await makeOrg('reg-a'), await makeOrg('reg-b')];
  // Three real versions of one model: v1 barely trained, v2 trained properly, v3 in between.
  const epochs = { 1: 2, 2: 40, 3: 12 } as const;
  for (const n of [1, 2, 3] as const) {
    const r = await registerDemoVersion(db, { orgId: a.org.id, modelName, epochs: epochs[n], seed: 7 });
    v[n] = {
      id: r.version.id,
      version: r.version.version,
      metrics: r.version.metrics as Record<string, number>,
      onnx: r.onnx,
      sidecar: r.sidecar,
    };
  }
  modelId = (await db.modelVersion.findUniqueOrThrow({ where: { id: v[1].id } })).modelId;
}, 180_000);

afterAll(async () => {
  await disconnectSharedProducer();
});

describe('model registry', () => {
  it('registers versions in order, with the trained metrics (longer training is better)', () => {
    expect([v[1].version, v[2].version, v[3].version]).toEqual([1, 2, 3]);
    // The gate tests below depend on v2 beating v1; this checks that premise rather than assumes it.
    expect(v[2].metrics.f1).toBeGreaterThan(v[1].metrics.f1!);
    expect(v[2].metrics.val_loss).toBeLessThan(v[1].metrics.val_loss!);
  });

  it('promotes with a passing gate and refuses a failing one, saying why and changing nothing', async () => {
    const admin = as(a, 'admin');
    const first = await moved(
      admin.models.promote({ org: a.org.slug, modelId, versionId: v[1].id, alias: 'production' }),
    );
    expect(first).toMatchObject({ alias: 'production', version: 1, versionId: v[1].id, gate: null });

    const passed = await moved(promoteGated(admin, v[2].id, 'production', { metric: 'f1', better: true }));
    expect(passed).toMatchObject({ version: 2, gate: 'f1 better than the current target (higher is better)' });
    expect((await aliasRow('production'))?.versionId).toBe(v[2].id);

    const eventsBefore = await db.modelAliasEvent.count({ where: { modelId } });
    const refused = await codeOf(promoteGated(admin, v[1].id, 'production', { metric: 'f1', better: true }));
    expect(refused.code).toBe('PRECONDITION_FAILED');
    expect(refused.message).toBe(
      `Gate refused: f1 of v1 (${Number(v[1].metrics.f1!.toPrecision(6))}) is not higher than v2's (${Number(v[2].metrics.f1!.toPrecision(6))})`,
    );
    const threshold = await codeOf(
      promoteGated(admin, v[1].id, 'staging', { metric: 'val_loss', max: v[2].metrics.val_loss! }),
    );
    expect(threshold.message).toMatch(/^Gate refused: val_loss of v1 is [\d.]+, above the maximum [\d.]+$/);
    const missing = await codeOf(promoteGated(admin, v[3].id, 'staging', { metric: 'rmse', max: 13 }));
    expect(missing.message).toBe('Gate refused: v3 has no "rmse" metric to gate on');
    expect((await aliasRow('production'))?.versionId).toBe(v[2].id);
    expect(await aliasRow('staging')).toBeNull();
    expect(await db.modelAliasEvent.count({ where: { modelId } })).toBe(eventsBefore);
    expect(
      await db.auditLog.count({ where: { orgId: a.org.id, targetId: modelId, action: 'model.promotion_refused' } }),
    ).toBe(3);

    const minPass = await moved(promoteGated(admin, v[3].id, 'staging', { metric: 'f1', min: v[1].metrics.f1! }));
    expect(minPass).toMatchObject({
      alias: 'staging',
      version: 3,
      gate: `f1 ≥ ${Number(v[1].metrics.f1!.toPrecision(6))}`,
    });
    // Moving an alias onto the version it already has is refused rather than recorded as a move.
    expect(
      (await codeOf(admin.models.promote({ org: a.org.slug, modelId, versionId: v[3].id, alias: 'staging' }))).message,
    ).toBe('"staging" already points at version 3');
  });

  it('rolls back to the previous target, then further back, and refuses when there is none', async () => {
    const admin = as(a, 'admin');
    await moved(admin.models.promote({ org: a.org.slug, modelId, versionId: v[3].id, alias: 'production' }));
    expect((await aliasRow('production'))?.versionId).toBe(v[3].id);
    const back = await moved(admin.models.rollback({ org: a.org.slug, modelId, alias: 'production' }));
    expect(back).toMatchObject({ action: 'rollback', version: 2 });
    expect((await aliasRow('production'))?.versionId).toBe(v[2].id);
    await moved(admin.models.rollback({ org: a.org.slug, modelId, alias: 'production' }));
    expect((await aliasRow('production'))?.versionId).toBe(v[1].id);
    const none = await codeOf(admin.models.rollback({ org: a.org.slug, modelId, alias: 'production' }));
    expect(none).toEqual({
      code: 'PRECONDITION_FAILED',
      message: 'Cannot roll back "production": the alias has no earlier target to roll back to',
    });
    await moved(admin.models.promote({ org: a.org.slug, modelId, versionId: v[2].id, alias: 'production' }));
    expect((await codeOf(admin.models.rollback({ org: a.org.slug, modelId, alias: 'no-such' }))).code).toBe(
      'NOT_FOUND',
    );
  });

  it('canary: admins split an alias to a second version and clear it; promoting the canary ends the split', async () => {
    const admin = as(a, 'admin');
    expect(
      (
        await codeOf(
          as(a, 'engineer').models.setCanary({
            org: a.org.slug,
            modelId,
            alias: 'production',
            versionId: v[3].id,
            weight: 0.2,
          }),
        )
      ).code,
    ).toBe('FORBIDDEN');
    expect(
      (
        await codeOf(
          admin.models.setCanary({ org: a.org.slug, modelId, alias: 'production', versionId: v[2].id, weight: 0.2 }),
        )
      ).code,
    ).toBe('PRECONDITION_FAILED');
    expect(
      (
        await codeOf(
          admin.models.setCanary({ org: a.org.slug, modelId, alias: 'production', versionId: v[3].id, weight: 1.5 }),
        )
      ).code,
    ).toBe('BAD_REQUEST');
    const c = await moved(
      admin.models.setCanary({ org: a.org.slug, modelId, alias: 'production', versionId: v[3].id, weight: 0.2 }),
    );
    expect(c).toMatchObject({ action: 'canary', versionId: v[2].id, canaryVersionId: v[3].id, canaryWeight: 0.2 });
    expect(await aliasRow('production')).toMatchObject({
      versionId: v[2].id,
      canaryVersionId: v[3].id,
      canaryWeight: 0.2,
    });
    const cleared = await moved(admin.models.clearCanary({ org: a.org.slug, modelId, alias: 'production' }));
    expect(cleared).toMatchObject({ canaryVersionId: null, canaryWeight: 0 });
    expect((await codeOf(admin.models.clearCanary({ org: a.org.slug, modelId, alias: 'production' }))).message).toBe(
      '"production" has no canary to clear',
    );

    await moved(
      admin.models.setCanary({ org: a.org.slug, modelId, alias: 'production', versionId: v[3].id, weight: 0.5 }),
    );
    const graduated = await moved(
      admin.models.promote({ org: a.org.slug, modelId, versionId: v[3].id, alias: 'production' }),
    );
    expect(graduated).toMatchObject({ versionId: v[3].id, canaryVersionId: null, canaryWeight: 0 });
  });

  it('roles: engineers move other aliases but not production; viewers move nothing', async () => {
    const engineer = as(a, 'engineer');
    await moved(engineer.models.promote({ org: a.org.slug, modelId, versionId: v[2].id, alias: 'shadow' }));
    const refused = await codeOf(
      engineer.models.promote({ org: a.org.slug, modelId, versionId: v[1].id, alias: 'production' }),
    );
    expect(refused).toEqual({
      code: 'FORBIDDEN',
      message: 'Moving "production" needs the admin role; you are engineer.',
    });
    expect((await codeOf(engineer.models.rollback({ org: a.org.slug, modelId, alias: 'production' }))).code).toBe(
      'FORBIDDEN',
    );
    expect(
      (await codeOf(as(a, 'viewer').models.promote({ org: a.org.slug, modelId, versionId: v[1].id, alias: 'shadow' })))
        .code,
    ).toBe('FORBIDDEN');
    expect((await aliasRow('production'))?.versionId).toBe(v[3].id);
    await moved(engineer.models.deleteAlias({ org: a.org.slug, modelId, alias: 'shadow' }));
    expect(await aliasRow('shadow')).toBeNull();
    expect((await codeOf(engineer.models.deleteAlias({ org: a.org.slug, modelId, alias: 'shadow' }))).code).toBe(
      'NOT_FOUND',
    );
  });

  it('alias names and gates are validated', async () => {
    const admin = as(a, 'admin');
    expect(
      (await codeOf(admin.models.promote({ org: a.org.slug, modelId, versionId: v[1].id, alias: 'Prod Uction' }))).code,
    ).toBe('BAD_REQUEST');
    expect((await codeOf(promoteGated(admin, v[1].id, 'x', { metric: 'f1' }))).code).toBe('BAD_REQUEST');
    expect((await codeOf(admin.models.promote({ org: a.org.slug, modelId, versionId: 'nope', alias: 'x' }))).code).toBe(
      'NOT_FOUND',
    );
  });

  it('every move wrote one alias event and one audit entry, in order', async () => {
    const events = await db.modelAliasEvent.findMany({
      where: { modelId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    expect(events.map((e) => [e.action, e.alias, e.toVersionId, e.canaryVersionId])).toEqual(
      moves.map((m) => [m.action, m.alias, m.versionId, m.canaryVersionId]),
    );
    const audits = await db.auditLog.findMany({
      where: { orgId: a.org.id, targetId: modelId, action: { not: 'model.promotion_refused' } },
      orderBy: { createdAt: 'asc' },
    });
    expect(audits).toHaveLength(moves.length);
    expect(audits.every((x) => x.action.startsWith('model.') && x.actorLabel !== null && x.ip === '127.0.0.1')).toBe(
      true,
    );
    expect(audits[0]).toMatchObject({
      action: 'model.alias_promoted',
      actorLabel: a.users.admin.email,
      data: { model: modelName, alias: 'production', toVersion: 1 },
    });
  });

  it('every move published exactly one valid dl.models message, keyed by model, in order', async () => {
    const kafka = createKafka({ clientId: 'registry-test' });
    const fullTopic = topic(TOPICS.models, env.KAFKA_TOPIC_PREFIX);
    expect(fullTopic).toBe(`${env.KAFKA_TOPIC_PREFIX}dl.models`);
    const admin = kafka.admin();
    await admin.connect();
    const [end] = await admin.fetchTopicOffsets(fullTopic);
    await admin.disconnect();
    const last = BigInt(end!.high) - 1n;
    // Read the whole partition up to its end, so a duplicate anywhere would be seen.
    const consumer = kafka.consumer({ groupId: `registry-test-${randomBytes(6).toString('hex')}` });
    const mine: { key: string | null; value: ModelDeploymentChanged }[] = [];
    let invalid = 0;
    await consumer.connect();
    await consumer.subscribe({ topic: fullTopic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`did not reach offset ${last}`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          const decoded = decodeMessage(modelDeploymentChangedSchema, message.value);
          if (!decoded.ok) invalid++;
          else if (decoded.value.modelId === modelId)
            mine.push({ key: message.key?.toString() ?? null, value: decoded.value });
          if (BigInt(message.offset) >= last) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    expect(invalid).toBe(0);
    expect(mine.length).toBe(moves.length);
    expect(mine.map((m) => m.key)).toEqual(moves.map(() => modelId));
    expect(
      mine.map((m) => ({
        action: m.value.action,
        alias: m.value.alias,
        versionId: m.value.versionId,
        canaryVersionId: m.value.canaryVersionId,
        canaryWeight: m.value.canaryWeight,
      })),
    ).toEqual(moves);
    expect(mine.every((m) => m.value.orgId === a.org.id && m.value.modelName === modelName)).toBe(true);
    const at = mine.map((m) => m.value.at);
    expect([...at].sort((x, y) => x - y)).toEqual(at);
  });

  it('the model page data: versions with metrics, aliases, history and lineage', async () => {
    const viewer = as(a, 'viewer');
    const m = await viewer.models.get({ org: a.org.slug, id: modelId });
    expect(m.versions.map((x) => x.version)).toEqual([3, 2, 1]);
    expect(m.mainMetric).toBe('f1');
    expect(m.aliases.map((x) => [x.name, x.version])).toEqual([
      ['production', 3],
      ['staging', 3],
    ]);
    expect(m.history[0]).toMatchObject({ action: 'delete', alias: 'shadow', fromVersion: 2, toVersion: null });
    expect(m.history.length).toBe(moves.length);
    const detail = await viewer.models.version({ org: a.org.slug, id: v[2].id });
    expect(detail.features.map((f) => f.name)).toHaveLength(6);
    expect(detail.features.every((f) => typeof f.mean === 'number' && typeof f.std === 'number')).toBe(true);
    expect(detail.lineage.dataset.find((f) => f.key === 'dataset.fingerprint')?.value).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(detail.lineage.dataset.filter((f) => f.value.startsWith('sha256:'))).toHaveLength(1);
    expect(detail.lineage.dataset.find((f) => f.key === 'dataset.name')).toEqual({
      key: 'dataset.name',
      value: 'synthetic seed 7',
      source: 'sidecar',
    });
    expect(detail.onnxBytes).toBe(v[2].onnx.byteLength);
    expect(detail.downloads.map((d) => d.file)).toEqual(['model.onnx', 'sidecar.json']);
    const list = await viewer.models.list({ org: a.org.slug });
    expect(list.find((x) => x.id === modelId)).toMatchObject({
      versionCount: 3,
      latest: { version: 3 },
      mainMetric: 'f1',
    });
  });

  it('another org cannot see or move the model, by tRPC or REST', async () => {
    const bOwner = as(b, 'owner');
    for (const call of [
      () => bOwner.models.get({ org: b.org.slug, id: modelId }),
      () => bOwner.models.versions({ org: b.org.slug, modelId }),
      () => bOwner.models.version({ org: b.org.slug, id: v[1].id }),
      () => bOwner.models.promote({ org: b.org.slug, modelId, versionId: v[1].id, alias: 'production' }),
      () => bOwner.models.rollback({ org: b.org.slug, modelId, alias: 'production' }),
      () => bOwner.models.setCanary({ org: b.org.slug, modelId, alias: 'production', versionId: v[1].id, weight: 0.5 }),
      () => bOwner.models.deleteAlias({ org: b.org.slug, modelId, alias: 'production' }),
      // Naming A's org as a member of B only: the org itself is not found.
      () => bOwner.models.get({ org: a.org.slug, id: modelId }),
    ]) {
      expect((await codeOf(call())).code).toBe('NOT_FOUND');
    }
    expect((await aliasRow('production'))?.versionId).toBe(v[3].id);
    expect((await bOwner.models.list({ org: b.org.slug })).some((x) => x.id === modelId)).toBe(false);
    const res = await download(b.apiKey.key, modelId, '1', 'model.onnx');
    expect(res.status).toBe(404);
    const byName = await download(b.apiKey.key, modelName, 'production', 'model.onnx');
    expect(byName.status).toBe(404);
    const listed = (await (
      await listRoute(new Request('http://localhost/api/v1/models', { headers: bearer(b.apiKey.key) }))
    ).json()) as { models: { id: string }[] };
    expect(listed.models.some((x) => x.id === modelId)).toBe(false);
  });

  it('REST: the list and downloads need a valid key; downloads return the stored bytes', async () => {
    expect((await listRoute(new Request('http://localhost/api/v1/models'))).status).toBe(401);
    expect((await download(null, modelId, '1', 'model.onnx')).status).toBe(401);
    expect((await download('dlk_not-a-key', modelId, '1', 'model.onnx')).status).toBe(401);

    const res = await listRoute(
      new Request(`http://localhost/api/v1/models?name=${encodeURIComponent(modelName)}`, {
        headers: bearer(a.apiKey.key),
      }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      org: string;
      models: {
        id: string;
        versions: { version: number; downloads: Record<string, string>; metrics: Record<string, number> }[];
        aliases: { name: string; version: number }[];
      }[];
    };
    expect(body.org).toBe(a.org.slug);
    expect(body.models).toHaveLength(1);
    expect(body.models[0]!.versions.map((x) => x.version)).toEqual([3, 2, 1]);
    expect(body.models[0]!.versions[1]!.metrics.f1).toBe(v[2].metrics.f1);
    expect(body.models[0]!.aliases).toMatchObject([
      { name: 'production', version: 3 },
      { name: 'staging', version: 3 },
    ]);
    expect(body.models[0]!.versions[0]!.downloads['model.onnx']).toBe(
      `/api/v1/models/${modelId}/versions/3/model.onnx`,
    );

    const onnx = await download(a.apiKey.key, modelId, '2', 'model.onnx');
    expect(onnx.status).toBe(200);
    expect(onnx.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await onnx.arrayBuffer()).equals(Buffer.from(v[2].onnx))).toBe(true);
    const sidecar = await download(a.apiKey.key, modelId, '2', 'sidecar.json');
    expect(await sidecar.json()).toMatchObject(JSON.parse(JSON.stringify(v[2].sidecar)) as Record<string, unknown>);
    // By name and alias: follows where production points now.
    const prod = await download(a.apiKey.key, modelName, 'production', 'model.onnx');
    expect(prod.headers.get('x-model-version')).toBe('3');
    expect(Buffer.from(await prod.arrayBuffer()).equals(Buffer.from(v[3].onnx))).toBe(true);
    expect((await download(a.apiKey.key, modelId, '2', 'tfjs.json')).status).toBe(404);
    expect((await download(a.apiKey.key, modelId, '9', 'model.onnx')).status).toBe(404);
    expect((await download(a.apiKey.key, modelId, '2', '..%2Fsecrets')).status).toBe(404);

    await db.apiKey.update({ where: { id: a.apiKey.id }, data: { revokedAt: new Date() } });
    const revoked = await listRoute(new Request('http://localhost/api/v1/models', { headers: bearer(a.apiKey.key) }));
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toMatchObject({ error: 'This API key has been revoked', code: 'UNAUTHORIZED' });
    expect((await download(a.apiKey.key, modelId, '2', 'model.onnx')).status).toBe(401);
  });

  it('concurrent moves of one alias serialise: each event starts where the previous one ended', async () => {
    const who = { orgId: a.org.id, actor: { userId: a.users.admin.id, label: a.users.admin.email }, ip: null };
    const results = await Promise.all(
      [v[1], v[2], v[3]].map((x) => moveAlias(db, who, { action: 'promote', modelId, alias: 'race', versionId: x.id })),
    );
    expect(results.every((r) => r.published)).toBe(true);
    const events = await db.modelAliasEvent.findMany({
      where: { modelId, alias: 'race' },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    expect(events).toHaveLength(3);
    expect(events[0]!.fromVersionId).toBeNull();
    expect(events[1]!.fromVersionId).toBe(events[0]!.toVersionId);
    expect(events[2]!.fromVersionId).toBe(events[1]!.toVersionId);
    expect((await aliasRow('race'))?.versionId).toBe(events[2]!.toVersionId);
  });

  it('a move whose dl.models message cannot be sent stays committed and says so', async () => {
    const who = { orgId: a.org.id, actor: { label: 'test' }, ip: null };
    const r = await moveAlias(
      db,
      who,
      { action: 'promote', modelId, alias: 'offline', versionId: v[1].id },
      async () => {
        throw new Error('broker unreachable');
      },
    );
    expect(r).toMatchObject({ published: false, version: 1 });
    expect((await aliasRow('offline'))?.versionId).toBe(v[1].id);
    expect(
      await db.auditLog.count({
        where: { targetId: modelId, action: 'model.alias_promoted', data: { path: ['alias'], equals: 'offline' } },
      }),
    ).toBe(1);
    // A send that hangs (broker gone, kafkajs retrying) is given up on, not waited for.
    const hung = await moveAlias(
      db,
      who,
      { action: 'promote', modelId, alias: 'offline', versionId: v[2].id },
      () => new Promise<void>(() => undefined),
      { publishTimeoutMs: 300 },
    );
    expect(hung).toMatchObject({ published: false, version: 2 });
  });
});
