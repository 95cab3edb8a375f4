import fc from 'fast-check';
import { encode } from 'next-auth/jwt';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as trpcGet, POST as trpcPost } from '~/app/api/trpc/[trpc]/route';
import { authSecret } from '~/server/auth/secret';
import { db } from '~/server/db';
import type { ProcedureMeta } from '~/server/trpc/init';
import { appRouter } from '~/server/trpc/root';
import {
  breaksPolicy,
  count,
  fuzzParams,
  hostileString,
  hostileValue,
  mutated,
  percentEncode,
  printCounts,
  unsafeString,
} from '../helpers/fuzz';
import { makeOrg, snapshotOrg, type OrgFixture } from '../helpers/tenancy';

// Every external entry point of the web process, driven with hostile input (issue 19): each
// answer is a success or a 4xx in the one error shape, never a 500 or a hang; input that breaks
// the string policy is a 400 and writes no row; the process still answers afterwards.

type AnyProcedure = { _def: { type: 'query' | 'mutation' | 'subscription'; meta?: ProcedureMeta } };
const procedures = Object.entries(
  (appRouter._def as unknown as { procedures: Record<string, AnyProcedure> }).procedures,
)
  .filter(([, p]) => p._def.type !== 'subscription')
  .sort(([a], [b]) => a.localeCompare(b));

/** app/api/v1 route modules, found on disk so a new route is fuzzed automatically. */
const restModules = import.meta.glob<Record<string, unknown>>('/app/api/v1/**/route.ts');

let A: OrgFixture;
let cookie = '';
const ids = () => ({ ...(A.ids as Record<string, string>) });

/**
 * The request body as our client would send it (superjson keeps NaN, Infinity, -0 and dates), or,
 * where the superjson client refuses to send the value at all (it throws on `__proto__`,
 * `constructor` and `prototype` keys), the raw JSON text a hostile client can send anyway: the
 * server is what is under test, not the client library.
 */
function wireText(input: unknown): string {
  try {
    return JSON.stringify(superjson.serialize(input));
  } catch {
    return `{"json":${JSON.stringify(input) ?? 'null'}}`;
  }
}

async function trpc(path: string, type: 'query' | 'mutation', input: unknown): Promise<Response> {
  const headers = { cookie, 'content-type': 'application/json', 'x-drivelab-client-ip': '10.9.9.9' };
  const wire = wireText(input);
  if (type === 'query')
    return trpcGet(
      new Request(`http://localhost/api/trpc/${path}?input=${encodeURIComponent(wire)}`, { method: 'GET', headers }),
    );
  return trpcPost(new Request(`http://localhost/api/trpc/${path}`, { method: 'POST', headers, body: wire }));
}

/** The one error shape, as tRPC carries it ({ error: { json: { message, data: { code, issues } } } }) or REST does. */
async function expectErrorShape(res: Response, where: string): Promise<void> {
  const body = (await res.json()) as Record<string, any>;
  const e = body.error?.json ?? body;
  const message = typeof e.message === 'string' ? e.message : e.error;
  expect(typeof message, `${where}: message`).toBe('string');
  expect((message as string).length, `${where}: a short message`).toBeLessThanOrEqual(600);
  expect(message as string, `${where}: no zod JSON dump`).not.toMatch(/^\s*\[\s*\{/);
  const issues = e.data?.issues ?? e.issues;
  expect(Array.isArray(issues), `${where}: issues`).toBe(true);
  for (const i of issues as { path: unknown; code: unknown; message: unknown }[])
    expect([typeof i.path, typeof i.code, typeof i.message], `${where}: issue`).toEqual(['string', 'string', 'string']);
}

async function healthy(): Promise<void> {
  const res = await trpc('system.health', 'query', undefined);
  expect(res.status).toBeLessThan(500);
}

beforeAll(async () => {
  A = await makeOrg('fuzz');
  cookie = `next-auth.session-token=${await encode({ token: { sub: A.users.owner.id }, secret: authSecret(), maxAge: 3600 })}`;
});

afterAll(() => printCounts('web entry points'));

describe('fuzz: every tRPC procedure, from the router definition', () => {
  it('covers every procedure', () => expect(procedures.length).toBeGreaterThan(20));

  it.each(procedures.map(([path, p]) => [path, p] as const))(
    '%s: hostile input is a success or a clean 4xx',
    async (path, p) => {
      const sample = { org: A.org.slug, ...(p._def.meta?.sample?.(ids() as never) ?? {}) };
      await fc.assert(
        fc.asyncProperty(mutated(sample), async (input) => {
          count(`trpc ${path}`);
          const res = await trpc(path, p._def.type as 'query' | 'mutation', input);
          expect(res.status, `${path} ${JSON.stringify(input)?.slice(0, 120)}`).toBeLessThan(500);
          if (breaksPolicy(input)) expect(res.status, `${path}: policy`).toBe(400);
          if (res.status >= 400) await expectErrorShape(res, path);
          else await res.body?.cancel();
        }),
        fuzzParams(3),
      );
    },
  );

  it('input that breaks the string policy is refused everywhere and writes no row', async () => {
    const before = await snapshotOrg(A.org.id);
    const users = await db.user.count();
    for (const [path, p] of procedures) {
      const sample = { org: A.org.slug, ...(p._def.meta?.sample?.(ids() as never) ?? {}) };
      await fc.assert(
        fc.asyncProperty(mutated(sample, unsafeString), async (input) => {
          count(`trpc ${path} (policy)`);
          const res = await trpc(path, p._def.type as 'query' | 'mutation', input);
          expect(res.status, `${path} ${JSON.stringify(input)?.slice(0, 80)}`).toBe(400);
          await expectErrorShape(res, path);
        }),
        fuzzParams(1),
      );
    }
    // Sign-up, unauthenticated: a NUL in any field is a 400 naming it, and no account.
    const nul = await trpc('auth.signUp', 'mutation', {
      name: 'a\u0000b',
      email: 'nul@example.test',
      password: 'long-enough-pw-1',
    });
    expect(nul.status).toBe(400);
    expect((await nul.json()).error.json.data.issues[0].path).toBe('name');
    expect(await snapshotOrg(A.org.id)).toBe(before);
    expect(await db.user.count()).toBe(users);
    await healthy();
  });

  it('refuses a body over the tRPC limit with 413 and JSON nested deeper than 400 with 400', async () => {
    const big = await trpcPost(
      new Request('http://localhost/api/trpc/scenarios.create', {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: 'x'.repeat(9 * 1024 * 1024),
      }),
    );
    expect(big.status).toBe(413);
    // Sent as raw text: superjson itself (the client side) would recurse that deep.
    const raw = `{"json":{"org":"${A.org.slug}","x":${'['.repeat(3000)}${']'.repeat(3000)}}}`;
    const deep = await trpcGet(
      new Request(`http://localhost/api/trpc/scenarios.list?input=${encodeURIComponent(raw)}`, { headers: { cookie } }),
    );
    expect(deep.status).toBe(400);
    await healthy();
  });
  it('refuses a __proto__ key in the raw tRPC input with 400 naming it, before superjson drops it', async () => {
    const before = await snapshotOrg(A.org.id);
    const polluted = '{"__proto__":{"polluted":true}}';
    const post = (path: string, body: string) =>
      trpcPost(
        new Request(`http://localhost/api/trpc/${path}`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json' },
          body,
        }),
      );
    const get = (path: string, input: string) =>
      trpcGet(new Request(`http://localhost/api/trpc/${path}${input}`, { headers: { cookie } }));
    const cases: [Promise<Response>, string][] = [
      [
        post('scenarios.update', `{"json":{"org":"${A.org.slug}","id":"${ids().scenarioId}","spec":${polluted}}}`),
        'spec.__proto__',
      ],
      [get('auth.me', `?input=${encodeURIComponent(`{"json":{"org":${polluted}}}`)}`), 'org.__proto__'],
      [get('system.health', `?input=${encodeURIComponent(`{"json":${polluted}}`)}`), '__proto__'],
      // Spelled with an escape, in a batch: still the same key once parsed.
      [
        get('auth.me', `?batch=1&input=${encodeURIComponent(`{"0":{"json":{"org":{"\\u005f_proto__":1}}}}`)}`),
        'org.__proto__',
      ],
      [
        post(
          'scenarios.update',
          `{"json":{"org":"${A.org.slug}","id":"${ids().scenarioId}","spec":{"constructor":{}}}}`,
        ),
        'spec.constructor',
      ],
    ];
    for (const [pending, path] of cases) {
      const res = await pending;
      expect(res.status, path).toBe(400);
      const body = (await res.json()) as { error: string; issues: { path: string; code: string }[] };
      expect(body.issues[0], path).toMatchObject({ path, code: 'forbidden_key' });
      expect(body.error, path).toContain(path);
    }
    expect(await snapshotOrg(A.org.id)).toBe(before);
    await healthy();
  });
});

describe('fuzz: .xodr upload through tRPC', () => {
  // The first `s="0"`, `x="0"`, `y="0"` and `hdg="0"` are the geometry's.
  const base =
    '<OpenDRIVE><header revMajor="1" revMinor="6"/><road id="1" length="100" junction="-1"><planView>' +
    '<geometry s="0" x="0" y="0" hdg="0" length="100"><line/></geometry></planView><lanes><laneSection s="0">' +
    '<center><lane id="0" type="none"/></center><right><lane id="-1" type="driving">' +
    '<width sOffset="0" a="3.5" b="0" c="0" d="0"/></lane></right></laneSection></lanes></road></OpenDRIVE>';
  const xodr = (attr: string, value: string) => base.replace(`${attr}="0"`, `${attr}="${value}"`);

  it('non-finite or overflowing numbers are a 400 naming the attribute, and no map is stored', async () => {
    const before = await db.orgMapVersion.count({ where: { orgId: A.org.id } });
    const attr = fc.constantFrom('s', 'x', 'y', 'hdg');
    const value = fc.oneof(
      fc.constantFrom('1e+308', 'Infinity', '-Infinity', '-1e309', '1e10'),
      fc.double({ min: 1e9 + 1, noNaN: true }).map(String),
    );
    await fc.assert(
      fc.asyncProperty(attr, value, async (a, v) => {
        count('trpc maps.upload (xodr numbers)');
        const res = await trpc('maps.upload', 'mutation', { org: A.org.slug, name: 'Fuzz', xodr: xodr(a, v) });
        expect(res.status, `${a}="${v}"`).toBe(400);
        const body = await res.json();
        expect(body.error.json.message).toMatch(new RegExp(`${a}="[^"]*" is out of range`));
        expect(body.error.json.data.issues[0]).toMatchObject({ path: 'xodr', code: 'number_out_of_range' });
      }),
      fuzzParams(8),
    );
    expect(await db.orgMapVersion.count({ where: { orgId: A.org.id } })).toBe(before);
    // The same file with ordinary numbers is stored: the refusal is about the numbers alone.
    const ok = await trpc('maps.upload', 'mutation', { org: A.org.slug, name: 'Fuzz', xodr: xodr('x', '12.5') });
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
  });
});

describe('fuzz: every REST route under /api/v1', () => {
  const modules = Object.entries(restModules).sort(([a], [b]) => a.localeCompare(b));

  it('covers every route module', () => expect(modules.length).toBeGreaterThan(8));

  it.each(modules.map(([file, load]) => [file.replace(/^\/app|\/route\.ts$/g, ''), load] as const))(
    '%s: hostile path, query and body are a success or a clean 4xx',
    async (route, load) => {
      const mod = await load();
      const methods = (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).filter((m) => typeof mod[m] === 'function');
      for (const method of methods) {
        const handler = mod[method] as (
          r: Request,
          c: { params: Promise<Record<string, unknown>> },
        ) => Promise<Response>;
        await fc.assert(
          fc.asyncProperty(hostileString, hostileString, hostileValue, fc.boolean(), async (seg, org, body, member) => {
            count(`rest ${method} ${route}`);
            const params: Record<string, unknown> = {};
            const path = route.replace(
              /\[{1,2}(\.\.\.)?([^\]]+)\]{1,2}/g,
              (_, rest: string | undefined, name: string) => {
                params[name] = rest ? [seg] : seg;
                return percentEncode(seg);
              },
            );
            const url = `http://localhost${path}?org=${percentEncode(member ? A.org.slug : org)}&name=${percentEncode(seg)}`;
            const init: RequestInit = { method, headers: { cookie, 'content-type': 'application/json' } };
            if (method !== 'GET') init.body = JSON.stringify(body) ?? 'null';
            const res = await handler(new Request(url, init), { params: Promise.resolve(params) });
            expect(res.status, `${method} ${url.slice(0, 120)}`).toBeLessThan(500);
            if (res.status >= 400) await expectErrorShape(res, `${method} ${route}`);
            else await res.body?.cancel();
          }),
          fuzzParams(6),
        );
      }
      await healthy();
    },
  );

  it('answers an unknown /api/v1 path with a JSON 404, not the HTML page', async () => {
    const { GET } = await import('~/app/api/v1/[[...path]]/route');
    const res = GET(new Request('http://localhost/api/v1/nope/nothing'));
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND', issues: [{ code: 'unknown_route' }] });
  });

  it('a lone surrogate or NUL in a path segment is a 400 naming it, not a database error', async () => {
    type Handler = (r: Request, c: { params: Promise<Record<string, string>> }) => Promise<Response>;
    const job = (await import('~/app/api/v1/training/jobs/[id]/route')) as unknown as { GET: Handler };
    const cancel = (await import('~/app/api/v1/training/jobs/[id]/cancel/route')) as unknown as { POST: Handler };
    for (const id of ['a\uDFFFb', '\uD800', 'x\u0000y']) {
      const url = `http://localhost/api/v1/training/jobs/${percentEncode(id)}?org=${A.org.slug}`;
      for (const res of [
        await job.GET(new Request(url, { headers: { cookie } }), { params: Promise.resolve({ id }) }),
        await cancel.POST(new Request(`${url}/cancel`, { method: 'POST', headers: { cookie } }), {
          params: Promise.resolve({ id }),
        }),
      ]) {
        expect(res.status, JSON.stringify(id)).toBe(400);
        expect(await res.json()).toMatchObject({ code: 'BAD_REQUEST', issues: [{ path: 'id' }] });
      }
    }
  });

  it('an unknown artifact name is a short 404, not an echo of the name or an Object.prototype member', async () => {
    type Handler = (r: Request, c: { params: Promise<Record<string, string>> }) => Promise<Response>;
    const { GET } = (await import('~/app/api/v1/experiments/runs/[id]/artifacts/[name]/route')) as unknown as {
      GET: Handler;
    };
    for (const name of ['x'.repeat(70_000), '__proto__', 'constructor', 'toString']) {
      const res = await GET(
        new Request(`http://localhost/api/v1/experiments/runs/r1/artifacts/x?org=${A.org.slug}`, {
          headers: { cookie },
        }),
        { params: Promise.resolve({ id: 'r1', name }) },
      );
      expect(res.status, name.slice(0, 20)).toBe(404);
      const body = (await res.json()) as { error: string };
      expect(body.error).toMatch(/^Unknown artifact/);
      expect(body.error.length).toBeLessThan(200);
    }
  });

  it('a NUL in ?org= is a 400 naming the field, not a database error', async () => {
    const { GET } = (await import('~/app/api/v1/me/route')) as { GET: (r: Request) => Promise<Response> };
    const res = await GET(new Request('http://localhost/api/v1/me?org=a%00b', { headers: { cookie } }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'BAD_REQUEST', issues: [{ path: 'org' }] });
  });
});
