import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as uploadDataset } from '~/app/api/v1/datasets/upload/route';
import { db } from '~/server/db';
import { retrainQueue, sharedBoss, stopSharedBoss } from '~/server/training/queue';
import { deleteRetrainSchedule } from '~/server/training/schedules';
import { callerFor, makeOrg, userCaller, type OrgFixture } from '../helpers/tenancy';
import { spawnTrainer, uploadRequest, waitForJob } from '../helpers/training';

describe('scheduled retraining (pg-boss cron per model)', () => {
  let a: OrgFixture;
  let datasetId: string;
  let trainer: ReturnType<typeof spawnTrainer>;
  beforeAll(async () => {
    a = await makeOrg('sched');
    const rows = ['unit,cycle,s1,s2'];
    for (let u = 1; u <= 6; u++)
      for (let c = 1; c <= 30; c++) rows.push(`${u},${c},${(c * 0.1 + u).toFixed(2)},${Math.sin(c).toFixed(3)}`);
    const res = await uploadDataset(
      uploadRequest(a.apiKey.key, 'units.csv', rows.join('\n'), {
        name: 'Units',
        groupColumn: 'unit',
        orderColumn: 'cycle',
        label: { type: 'rul', cap: 20 },
      }),
    );
    expect(res.status).toBe(201);
    datasetId = ((await res.json()) as { datasetId: string }).datasetId;
    trainer = spawnTrainer({ TRAINER_SCHEDULE_SCAN_S: '1', TRAINER_CRON_MONITOR_S: '2', TRAINER_CRON_WORKER_S: '1' });
  });
  afterAll(async () => {
    // Even when a test failed midway: no every-minute schedule may outlive the file.
    for (const row of await db.retrainSchedule.findMany({ where: { orgId: a.org.id } }))
      await deleteRetrainSchedule(db, a.org.id, row.id);
    expect(await trainer.stop()).toBe(0);
    await stopSharedBoss();
  });

  it('rejects a bad cron or a kind the dataset cannot train', async () => {
    const engineer = callerFor(userCaller(a.users.engineer));
    await expect(
      engineer.training.setSchedule({
        org: a.org.slug,
        modelName: 'rul',
        cron: 'every day',
        datasetId,
        kind: 'mlp-regressor',
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(
      engineer.training.setSchedule({
        org: a.org.slug,
        modelName: 'rul',
        cron: '99 * * * *',
        datasetId,
        kind: 'mlp-regressor',
      }),
    ).rejects.toThrow(/Invalid cron/);
    await expect(
      engineer.training.setSchedule({
        org: a.org.slug,
        modelName: 'rul',
        cron: '0 3 * * *',
        datasetId,
        kind: 'mlp-classifier',
      }),
    ).rejects.toThrow(/class labels/);
    // A refused cron leaves no schedule behind.
    expect((await engineer.training.schedules({ org: a.org.slug })).map((x) => x.modelName)).not.toContain('rul');
  });

  it('fires on its cron: a new dataset version from the data, a job, a registered model version', async () => {
    const engineer = callerFor(userCaller(a.users.engineer));
    const s = await engineer.training.setSchedule({
      org: a.org.slug,
      modelName: 'units-rul',
      cron: '* * * * *',
      datasetId,
      kind: 'mlp-regressor',
      params: { epochs: 3 },
    });
    expect(
      (await engineer.training.schedules({ org: a.org.slug })).find((x) => x.modelName === 'units-rul'),
    ).toMatchObject({ cron: '* * * * *', enabled: true });
    const boss = await sharedBoss();
    expect((await boss.getSchedules()).map((x) => x.name)).toContain(retrainQueue(s.id));

    // Cron resolution is one minute: the first firing comes within ~70 s.
    const deadline = Date.now() + 130_000;
    let job = null;
    while (!job && Date.now() < deadline) {
      job = await db.trainingJob.findFirst({ where: { scheduleId: s.id } });
      if (!job) await new Promise((r) => setTimeout(r, 1000));
    }
    if (!job) throw new Error('no scheduled job within 130 s');
    const done = await waitForJob(job.id, (j) => j.state === 'completed' || j.state === 'failed', 60_000);
    expect(done.state).toBe('completed');
    expect(done.tags).toEqual(['scheduled']);
    const version = await db.datasetVersion.findUniqueOrThrow({ where: { id: done.datasetVersionId } });
    expect(version.version).toBe(2);
    const mv = await db.modelVersion.findUniqueOrThrow({
      where: { id: done.modelVersionId! },
      include: { model: true },
    });
    expect(mv.model.name).toBe('units-rul');
    expect((await db.retrainSchedule.findUniqueOrThrow({ where: { id: s.id } })).lastJobId).toBe(job.id);

    await engineer.training.deleteSchedule({ org: a.org.slug, id: s.id });
    expect((await boss.getSchedules()).map((x) => x.name)).not.toContain(retrainQueue(s.id));
    expect((await engineer.training.schedules({ org: a.org.slug })).map((x) => x.modelName)).not.toContain('units-rul');
  }, 200_000);
});
