import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookTestEventSchema } from '~/server/contracts/drift';
import { db } from '~/server/db';
import { SIGNATURE_HEADER, verifyWebhook } from '~/server/drift/webhook';
import { callerFor, makeOrg, userCaller, type OrgFixture } from '../helpers/tenancy';

/**
 * The org webhook as the settings page drives it: set (a new secret, once), a signed test
 * delivery to a real receiver, its answer recorded, admin-only, and removal.
 */
let A: OrgFixture;
let server: Server;
let answer = 204;
const calls: { body: string; signature: string }[] = [];

beforeAll(async () => {
  A = await makeOrg('webhook-settings');
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      calls.push({ body, signature: String(req.headers[SIGNATURE_HEADER]) });
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
});

afterAll(() => {
  server?.close();
});

describe('org webhook settings', () => {
  it('sets the URL with a secret, sends a signed test delivery, records the answer, removes it', async () => {
    const admin = callerFor(userCaller(A.users.admin));
    const org = A.org.slug;
    await expect(admin.orgs.testWebhook({ org })).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    // Engineers and viewers do not manage it.
    await expect(
      callerFor(userCaller(A.users.engineer)).orgs.setWebhook({ org, url: 'https://example.com/x' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });

    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const set = await admin.orgs.setWebhook({ org, url });
    expect(set.secret).toMatch(/^whsec_[0-9a-f]{48}$/);

    const ok = await admin.orgs.testWebhook({ org });
    expect(ok).toEqual({ delivered: true, status: 204, error: null });
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    const now = Math.floor(Date.now() / 1000);
    expect(verifyWebhook(set.secret, call.signature, call.body, now)).toBe(true);
    expect(verifyWebhook('whsec_other', call.signature, call.body, now)).toBe(false);
    expect(webhookTestEventSchema.parse(JSON.parse(call.body)).data.orgId).toBe(A.org.id);
    expect(await admin.orgs.webhook({ org })).toMatchObject({ url, lastStatus: 204, lastError: null });

    // A receiver that refuses is reported as such.
    answer = 401;
    expect(await admin.orgs.testWebhook({ org })).toEqual({ delivered: false, status: 401, error: 'HTTP 401' });
    expect(await admin.orgs.webhook({ org })).toMatchObject({ lastStatus: 401, lastError: 'HTTP 401' });
    expect(
      await db.auditLog.count({
        where: { orgId: A.org.id, action: { in: ['org.webhook_set', 'org.webhook_tested'] } },
      }),
    ).toBe(3);

    expect(await admin.orgs.removeWebhook({ org })).toEqual({ removed: true });
    expect(await admin.orgs.webhook({ org })).toBeNull();
  });
});
