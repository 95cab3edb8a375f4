import { describe, expect, it } from 'vitest';
import { driftAlertMessageSchema, type DriftAlertMessage } from '~/server/contracts/drift';
import {
  COUNT_WINDOW_MAX_AGE_MS,
  ServingWindows,
  type ClosedWindow,
  type DriftWindowConfig,
} from '~/server/drift/serving';
import {
  deliverDriftWebhook,
  signWebhook,
  verifyWebhook,
  webhookUrlSchema,
  WEBHOOK_RETRY,
} from '~/server/drift/webhook';

const version = { id: 'v1', orgId: 'o1', modelId: 'm1', featureNames: ['a', 'b'] };

function windows(config: DriftWindowConfig, clock: { t: number }, sink?: (w: ClosedWindow[]) => Promise<void>) {
  const written: ClosedWindow[] = [];
  const w = new ServingWindows({
    sink: sink ?? ((ws) => Promise.resolve(void written.push(...ws))),
    configOf: () => Promise.resolve(config),
    now: () => clock.t,
    sampleRows: 100,
    seed: 1,
  });
  return { w, written };
}

/** Rows (a = i, b = null every tenth row) and their predictions. */
function batch(n: number, from = 0) {
  const data: (number | null)[] = [];
  for (let i = from; i < from + n; i++) data.push(i, i % 10 === 0 ? null : 2 * i);
  return { data, preds: Array.from({ length: n }, (_, i) => from + i) };
}

describe('serving drift windows', () => {
  it('time windows align to the epoch, keep exact counts and a bounded uniform sample', async () => {
    const clock = { t: 1_000_000_000_123 };
    const { w, written } = windows({ kind: 'time', seconds: 60 }, clock);
    const b = batch(1000);
    w.observe(version, 'stream', b.data, 1000, b.preds);
    await w.flush();
    expect(written).toEqual([]);
    clock.t += 60_000;
    await w.flush();
    expect(written).toHaveLength(1);
    const win = written[0]!;
    expect(win.windowStart.getTime() % 60_000).toBe(0);
    expect(win.windowEnd.getTime() - win.windowStart.getTime()).toBe(60_000);
    expect(win.rows).toBe(1000);
    expect(win.summary.rows).toHaveLength(100);
    expect(win.summary.predictions).toHaveLength(100);
    expect(win.summary.stats[0]).toMatchObject({ n: 1000, nulls: 0, sum: (999 * 1000) / 2, min: 0, max: 999 });
    expect(win.summary.stats[1]).toMatchObject({ n: 900, nulls: 100, min: 2, max: 1998 });
    // A uniform sample spans the window, not just its first rows; each sampled row keeps its prediction.
    const firsts = win.summary.rows.map((r) => r[0]!);
    expect(Math.max(...firsts)).toBeGreaterThan(500);
    win.summary.rows.forEach((r, i) => expect(win.summary.predictions[i]).toBe(r[0]));
  });

  it('count windows close at their row count, once the model setting is known', async () => {
    const clock = { t: 5_000 };
    const { w, written } = windows({ kind: 'count', rows: 300 }, clock);
    w.observe(version, 'api', batch(1).data, 1, [0]);
    await w.flush(); // reads the model's setting
    const b = batch(700, 1);
    w.observe(version, 'api', b.data, 700, b.preds);
    expect(written).toEqual([]);
    await w.flush();
    expect(written.map((x) => x.rows)).toEqual([300, 300]);
    expect(w.openRows).toBe(101);
    clock.t += COUNT_WINDOW_MAX_AGE_MS;
    await w.flush();
    expect(written.map((x) => x.rows)).toEqual([300, 300, 101]);
  });

  it('keeps closed windows when the sink fails and writes them on the next flush', async () => {
    const clock = { t: 0 };
    let fail = true;
    const got: ClosedWindow[] = [];
    const { w } = windows({ kind: 'time', seconds: 10 }, clock, (ws) => {
      if (fail) return Promise.reject(new Error('postgres down'));
      got.push(...ws);
      return Promise.resolve();
    });
    w.observe(version, 'oip', batch(5).data, 5, null);
    clock.t = 10_000;
    expect(await w.flush()).toBe(0);
    fail = false;
    expect(await w.flush()).toBe(1);
    expect(got[0]!.summary.predictions.every((p) => p === null)).toBe(true);
  });
});

const alert: DriftAlertMessage = driftAlertMessageSchema.parse({
  v: 1,
  kind: 'drift',
  id: 'drift-r1',
  orgId: 'o1',
  modelId: 'm1',
  modelName: 'wear',
  modelVersionId: 'v1',
  modelVersion: 1,
  reportId: 'r1',
  windowStart: 0,
  windowEnd: 60_000,
  rows: 10,
  driftedShare: 0.5,
  datasetDrift: true,
  driftedFeatures: ['a'],
  predictionDrift: false,
  policy: 'notify',
  retrainJobId: null,
  at: 1,
});

describe('org webhooks', () => {
  it('signs "<t>.<body>" with HMAC-SHA256 and rejects a wrong secret, a changed body or an old timestamp', () => {
    const header = signWebhook('s3cret', 1_700_000_000, '{"x":1}');
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook('s3cret', header, '{"x":1}', 1_700_000_010)).toBe(true);
    expect(verifyWebhook('other', header, '{"x":1}', 1_700_000_010)).toBe(false);
    expect(verifyWebhook('s3cret', header, '{"x":2}', 1_700_000_010)).toBe(false);
    expect(verifyWebhook('s3cret', header, '{"x":1}', 1_700_001_000)).toBe(false);
  });

  it('accepts http(s) URLs without credentials only', () => {
    expect(webhookUrlSchema.safeParse('https://hooks.example.com/x').success).toBe(true);
    expect(webhookUrlSchema.safeParse('ftp://example.com').success).toBe(false);
    expect(webhookUrlSchema.safeParse('https://user:pw@example.com').success).toBe(false);
    expect(webhookUrlSchema.safeParse('not a url').success).toBe(false);
  });

  it('retries a failing receiver a bounded number of times, stops on a 4xx, and never throws', async () => {
    const updates: unknown[] = [];
    const db = {
      orgWebhook: {
        findUnique: () => Promise.resolve({ id: 'h1', orgId: 'o1', url: 'https://r.example/x', secret: 's' }),
        update: (a: unknown) => Promise.resolve(void updates.push(a)),
      },
    } as never;
    const calls: string[] = [];
    const status = (code: number) => () => {
      calls.push(String(code));
      return Promise.resolve(new Response(null, { status: code }));
    };
    const sleep = () => Promise.resolve();
    expect(await deliverDriftWebhook(db, alert, { fetch: status(503), sleep })).toBe(503);
    expect(calls).toHaveLength(WEBHOOK_RETRY.attempts);
    calls.length = 0;
    expect(await deliverDriftWebhook(db, alert, { fetch: status(410), sleep })).toBe(410);
    expect(calls).toHaveLength(1);
    const down = () => Promise.reject(new Error('ECONNREFUSED'));
    expect(await deliverDriftWebhook(db, alert, { fetch: down, sleep })).toBeNull();
    expect(updates.at(-1)).toMatchObject({ data: { lastStatus: null, lastError: 'ECONNREFUSED' } });
  });
});
