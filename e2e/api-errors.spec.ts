import { request as httpRequest } from 'node:http';
import { expect, test } from '@playwright/test';
import { DEMO } from '../prisma/seed';
import { signInAsDemo } from './helpers';

// Issue 19 against the production server (server.ts → Next.js), where routing and the request
// stream are the real ones: an unknown /api/v1 path is a JSON 404, and a body over the limit is
// a 413 while the client is still sending, never after reading it all (or never).

test('an unknown /api/v1 path is a JSON 404 in the one error shape, not the HTML page', async ({ request }) => {
  for (const [method, path] of [
    ['GET', '/api/v1/nope'],
    ['POST', '/api/v1/models/nope/deeper'],
    ['GET', '/api/v1'],
    ['DELETE', '/api/v1/'],
  ] as const) {
    const res = await request.fetch(path, { method, data: method === 'POST' ? {} : undefined });
    expect(res.status(), `${method} ${path}`).toBe(404);
    expect(res.headers()['content-type'], path).toMatch(/application\/json/);
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND', issues: [{ code: 'unknown_route' }] });
  }
  // The real routes are still matched first.
  expect((await request.get('/api/v1/openapi.json')).status()).toBe(200);
});

/**
 * POSTs a chunked body that never ends (64 KiB chunks up to 32 MiB, then the client stalls
 * without finishing), and resolves with the answer the server gives while it is still sending.
 */
function endlessPost(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    let answered = false;
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer after ${sent} bytes sent`));
    }, 30_000);
    const pump = () => {
      while (!answered && sent < 32 * 1024 * 1024) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
    };
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body, sent });
      });
    });
    // After the answer the server may close while we are still writing: that is not a failure.
    req.on('error', (err) => {
      if (!answered) {
        clearTimeout(timer);
        reject(err);
      }
    });
    pump();
  });
}

test('a body that never ends is answered 413 while it is still being sent', async ({ page, baseURL }) => {
  // tRPC reads (bounded) before any procedure runs, so no sign-in is needed.
  const trpc = await endlessPost(`${baseURL}/api/trpc/scenarios.create`, {});
  expect(trpc.status).toBe(413);
  expect(JSON.parse(trpc.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  expect(trpc.sent).toBeLessThan(32 * 1024 * 1024);

  // /api/v1 reads after authenticating: signed in as the demo user, for the demo org.
  await signInAsDemo(page, DEMO.user);
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const rest = await endlessPost(`${baseURL}/api/v1/models/predict?org=${DEMO.org.slug}`, { cookie });
  expect(rest.status).toBe(413);
  expect(JSON.parse(rest.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  expect(rest.sent).toBeLessThan(32 * 1024 * 1024);
});
