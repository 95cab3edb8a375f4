import { encode } from 'next-auth/jwt';
import { beforeAll, describe, expect, it } from 'vitest';
import { POST as uploadDataset } from '~/app/api/v1/datasets/upload/route';
import { POST as predict } from '~/app/api/v1/models/predict/route';
import { GET as trpcGet, POST as trpcPost } from '~/app/api/trpc/[trpc]/route';
import { authSecret } from '~/server/auth/secret';
import { db } from '~/server/db';
import { MAX_TRPC_BATCH } from '~/server/trpc/batch';
import { makeOrg, snapshotOrg, type OrgFixture } from '../helpers/tenancy';

// Issue 19 through the real entry points (route handlers with real Requests, Postgres and
// Redis), for the guards whose other tests call a helper directly: uploads, the .xosc import,
// the /api/v1 body limit on a body that never ends, and the tRPC error shape.

let A: OrgFixture;
let cookie = '';

beforeAll(async () => {
  A = await makeOrg('hostile');
  cookie = `next-auth.session-token=${await encode({ token: { sub: A.users.owner.id }, secret: authSecret(), maxAge: 3600 })}`;
});

function upload(file: Blob, options: unknown): Promise<Response> {
  const form = new FormData();
  form.set('file', new File([file], 'table.csv', { type: 'text/plain' }));
  form.set('options', typeof options === 'string' ? options : JSON.stringify(options));
  return uploadDataset(
    new Request('http://x/api/v1/datasets/upload', {
      method: 'POST',
      headers: { authorization: `Bearer ${A.apiKey.key}` },
      body: form,
    }),
  );
}

const options = { name: 'Hostile', groupColumn: 'vehicle', label: { type: 'none' } };

function trpc(path: string, input: unknown): Promise<Response> {
  return trpcPost(
    new Request(`http://localhost/api/trpc/${path}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'x-drivelab-client-ip': '10.9.9.8' },
      body: JSON.stringify({ json: input }),
    }),
  );
}

/**
 * A request body that never ends: 64 KiB chunks while anyone reads, up to 32 MiB, then a client
 * that stalls without ever closing the stream (bounded, so a missing guard costs no more memory).
 */
function endless(): { stream: ReadableStream<Uint8Array>; sent: () => number } {
  let sent = 0;
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent >= 32 * 1024 * 1024) return;
      sent += chunk.byteLength;
      c.enqueue(chunk);
    },
  });
  return { stream, sent: () => sent };
}

/** The answer, or a failure naming what hung: a missing guard must fail the test, not hang it. */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, rej) => {
      timer = setTimeout(() => rej(new Error(`no answer within ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

describe('dataset upload route (issue 19)', () => {
  it('refuses a binary file as "not a text table" and never echoes its bytes', async () => {
    // A zip header with printable bytes inside: what a client sends by picking the wrong file.
    const bytes = new Uint8Array([
      0x50,
      0x4b,
      0x03,
      0x04,
      0x14,
      0x00,
      0x08,
      0x00,
      ...new TextEncoder().encode('vehicle,SECRETCOL\n'),
      0x00,
      0x01,
      0xff,
      0xfe,
    ]);
    const before = await snapshotOrg(A.org.id);
    const res = await upload(new Blob([bytes]), options);
    expect(res.status).toBe(400);
    const text = await res.text();
    const body = JSON.parse(text) as { error: string; issues: { path: string; code: string }[] };
    expect(body.error).toMatch(/not a text table/);
    expect(body.issues[0]).toMatchObject({ path: 'file', code: 'not_text' });
    expect(text).not.toMatch(/PK|SECRETCOL|\\u0000|\\u0003/);
    expect(await snapshotOrg(A.org.id)).toBe(before);
  });

  it('reports a non-numeric column in the answer with its reason, never drops it silently', async () => {
    const res = await upload(new Blob(['vehicle,temp,colour\nv1,1,red\nv1,2,blue\nv2,3,red\n']), options);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { featureNames: string[]; skippedColumns: unknown[] };
    expect(body.featureNames).toEqual(['temp']);
    expect(body.skippedColumns).toEqual([{ column: 'colour', reason: 'not numeric: line 2 has "red"' }]);
  });

  it('refuses a NUL in the upload options with a 400 naming the field, and stores nothing', async () => {
    const before = await snapshotOrg(A.org.id);
    const res = await upload(new Blob(['vehicle,temp\nv1,1\n']), { ...options, name: 'a\u0000b' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: 'BAD_REQUEST',
      issues: [{ path: 'options.name', code: 'control_character' }],
    });
    expect(await snapshotOrg(A.org.id)).toBe(before);
  });
});

describe('.xosc import through tRPC (issue 19)', () => {
  it('refuses XML nested deeper than 400 with a 400 saying so, never a 500', async () => {
    const depth = 50_000;
    const xml = `<OpenSCENARIO>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</OpenSCENARIO>`;
    const res = await trpc('scenarios.importXosc', { org: A.org.slug, xml });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { json: { message: string; data: { code: string } } } };
    expect(body.error.json.data.code).toBe('BAD_REQUEST');
    expect(body.error.json.message).toMatch(/nested deeper than 400 levels/);
  });
});

describe('/api/v1 JSON body limit (issue 19)', () => {
  it('answers 413 to a body that never ends, after reading little more than the limit', async () => {
    const { stream, sent } = endless();
    const req = new Request('http://x/api/v1/models/predict', {
      method: 'POST',
      headers: { authorization: `Bearer ${A.apiKey.key}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    const res = await within(15_000, 'an endless body to /api/v1/models/predict', predict(req));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    // 1 MiB limit; the stream reads ahead by a chunk or two, never the whole body.
    expect(sent()).toBeLessThan(2 * 1024 * 1024);
  });

  it('answers 413 from the declared length alone, before reading any of the body', async () => {
    const { stream, sent } = endless();
    const req = new Request('http://x/api/v1/models/predict', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${A.apiKey.key}`,
        'content-type': 'application/json',
        'content-length': String(20 * 1024 * 1024),
      },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    const res = await within(15_000, 'a declared 20 MiB body', predict(req));
    expect(res.status).toBe(413);
    // A ReadableStream pulls to fill its queue once on creation; nothing beyond that.
    expect(sent()).toBeLessThanOrEqual(64 * 1024);
  });
});

describe('tRPC error shape (issue 19)', () => {
  it('an invalid input is a short message naming the fields plus issues, not a zod JSON dump', async () => {
    const users = await db.user.count();
    const res = await trpc('auth.signUp', { name: '', email: 'not-an-email', password: 1 });
    expect(res.status).toBe(400);
    type Issue = { path: string; code: string; message: string };
    const e = ((await res.json()) as { error: { json: { message: string; data: { issues: Issue[] } } } }).error.json;
    expect(e.message.length).toBeLessThanOrEqual(600);
    expect(e.message).not.toMatch(/^\s*\[/);
    expect(() => JSON.parse(e.message) as unknown).toThrow();
    expect(e.message).toMatch(/^Invalid input: name: /);
    const paths = e.data.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['email', 'password']));
    for (const i of e.data.issues) expect(Object.keys(i).sort()).toEqual(['code', 'message', 'path']);
    expect(await db.user.count()).toBe(users);
  });
});

describe('bodies that are not UTF-8 and oversized batches (issue 19)', () => {
  // {"model":"<FF FE>","features":{}}: the model name would otherwise arrive as U+FFFD U+FFFD.
  const notUtf8 = Buffer.concat([
    Buffer.from('{"model":"'),
    Buffer.from([0xff, 0xfe]),
    Buffer.from('","features":{}}'),
  ]);

  it('/api/v1 refuses a body that is not UTF-8 with a 400 saying so, never a mangled name', async () => {
    const res = await predict(
      new Request('http://x/api/v1/models/predict', {
        method: 'POST',
        headers: { authorization: `Bearer ${A.apiKey.key}`, 'content-type': 'application/json' },
        body: notUtf8,
      }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'BAD_REQUEST', issues: [{ code: 'invalid_utf8' }] });
  });

  it('tRPC refuses a body that is not UTF-8 before any procedure runs', async () => {
    const before = await snapshotOrg(A.org.id);
    const body = Buffer.concat([
      Buffer.from(`{"json":{"org":"${A.org.slug}","name":"`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}}'),
    ]);
    const res = await trpcPost(
      new Request('http://localhost/api/trpc/scenarios.create', {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body,
      }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'BAD_REQUEST', issues: [{ code: 'invalid_utf8' }] });
    expect(await snapshotOrg(A.org.id)).toBe(before);
  });

  it(`refuses a tRPC batch of more than ${MAX_TRPC_BATCH} calls without running any`, async () => {
    // Each system.health call checks Postgres, Redis and Kafka: a batch fans out into that many.
    const paths = (n: number) => Array.from({ length: n }, () => 'system.health').join(',');
    const started = Date.now();
    const res = await trpcGet(
      new Request(`http://localhost/api/trpc/${paths(MAX_TRPC_BATCH + 1)}?batch=1&input={}`, { headers: { cookie } }),
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as
      { error: { json: { message: string } } }[] | { error: { json: { message: string } } };
    const message = (Array.isArray(body) ? body[0]! : body).error.json.message;
    expect(message).toMatch(/batch/i);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
