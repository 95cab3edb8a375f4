import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PrismaClient } from '@prisma/client';
import { z } from 'zod';
import type { DriftAlertMessage, WebhookEvent, WebhookTestEvent } from '../contracts/drift';
import { childLogger } from '../observability/logger';

const log = childLogger('drift.webhook');

/**
 * An org's outgoing webhook. Each delivery is signed like Stripe's: the header
 * `X-DriveLab-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>`,
 * so a receiver checks both origin and freshness (reject old timestamps to stop replays).
 * Deliveries are retried a few times with a short backoff and never block the caller.
 */
export const SIGNATURE_HEADER = 'x-drivelab-signature';
export const WEBHOOK_RETRY = { attempts: 3, backoffMs: 500, timeoutMs: 5000 } as const;

export const webhookUrlSchema = z
  .string()
  .trim()
  .max(2000, 'At most 2000 characters')
  .pipe(z.url({ protocol: /^https?$/, error: 'An http(s) URL' }))
  .refine((u) => {
    // Refinements run on a value the URL check refused too: that one is reported once, above.
    if (!URL.canParse(u)) return true;
    const url = new URL(u);
    return url.username === '' && url.password === '';
  }, 'No credentials in the URL: verify the signature instead');

export const newWebhookSecret = () => `whsec_${randomBytes(24).toString('hex')}`;

export function signWebhook(secret: string, timestampS: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex');
  return `t=${timestampS},v1=${mac}`;
}

/** A receiver's check (used by tests; documented for users): signature and age. */
export function verifyWebhook(secret: string, header: string, body: string, nowS: number, toleranceS = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowS - t) > toleranceS || !parts.v1) return false;
  const want = Buffer.from(signWebhook(secret, t, body).split('v1=')[1]!, 'hex');
  const got = Buffer.from(parts.v1, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

interface Delivery {
  /** The receiver's HTTP status; null when it did not answer. */
  status: number | null;
  /** Null on a 2xx; otherwise what went wrong, for the settings page. */
  error: string | null;
}

/** One signed POST of `event` to the hook (drift alerts and test deliveries alike). Never throws. */
async function postSigned(
  doFetch: Fetch,
  hook: { url: string; secret: string },
  event: WebhookEvent | WebhookTestEvent,
  deliveryId: string,
  now: () => number,
): Promise<Delivery> {
  const body = JSON.stringify(event);
  try {
    const res = await doFetch(hook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signWebhook(hook.secret, Math.floor(now() / 1000), body),
        'x-drivelab-event': event.event,
        'x-drivelab-delivery': deliveryId,
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(WEBHOOK_RETRY.timeoutMs),
    });
    await res.body?.cancel().catch(() => undefined);
    return { status: res.status, error: res.ok ? null : `HTTP ${res.status}` };
  } catch (err) {
    return { status: null, error: (err as Error).message.slice(0, 500) };
  }
}

/** The hook's last delivery, shown on the settings page. */
async function recordDelivery(
  db: Pick<PrismaClient, 'orgWebhook'>,
  hookId: string,
  d: Delivery,
  now: () => number,
): Promise<void> {
  await db.orgWebhook.update({
    where: { id: hookId },
    data: { lastStatus: d.status, lastError: d.error, lastAt: new Date(now()) },
  });
}

/**
 * Delivers a drift alert to the org's webhook, if it has one. Resolves to the final HTTP status
 * (null: no webhook, or no answer); never throws. A 2xx ends it; a 4xx other than 408/429 is
 * the receiver's final word; anything else is retried.
 */
export async function deliverDriftWebhook(
  db: Pick<PrismaClient, 'orgWebhook'>,
  alert: DriftAlertMessage,
  deps: { fetch?: Fetch; now?: () => number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<number | null> {
  try {
    const hook = await db.orgWebhook.findUnique({ where: { orgId: alert.orgId } });
    if (!hook) return null;
    const doFetch = deps.fetch ?? fetch;
    const now = deps.now ?? Date.now;
    const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((ok) => setTimeout(ok, ms)));
    let status: number | null = null;
    let error: string | null = null;
    for (let attempt = 1; attempt <= WEBHOOK_RETRY.attempts; attempt++) {
      const event: WebhookEvent = { event: 'drift.detected', deliveredAt: now(), data: alert };
      ({ status, error } = await postSigned(doFetch, hook, event, `${alert.id}.${attempt}`, now));
      if (status !== null && (error === null || (status >= 400 && status < 500 && status !== 408 && status !== 429)))
        break;
      if (attempt < WEBHOOK_RETRY.attempts) await sleep(WEBHOOK_RETRY.backoffMs * 2 ** (attempt - 1));
    }
    await recordDelivery(db, hook.id, { status, error }, now);
    if (error) log.warn({ orgId: alert.orgId, status, error }, 'drift webhook not accepted');
    return status;
  } catch (err) {
    log.warn({ err: (err as Error).message, orgId: alert.orgId }, 'drift webhook delivery failed');
    return null;
  }
}

/**
 * One signed test delivery to the org's webhook (no retries: the admin is watching), recorded as
 * its last delivery. Resolves to what happened; never throws on the receiver's failure.
 */
export async function deliverTestWebhook(
  db: Pick<PrismaClient, 'orgWebhook'>,
  orgId: string,
  deps: { fetch?: Fetch; now?: () => number } = {},
): Promise<{ delivered: boolean; status: number | null; error: string | null } | null> {
  const hook = await db.orgWebhook.findUnique({ where: { orgId } });
  if (!hook) return null;
  const now = deps.now ?? Date.now;
  const event: WebhookTestEvent = {
    event: 'webhook.test',
    deliveredAt: now(),
    data: { orgId, message: 'A test delivery from DriveLab: the signature verifies with your secret.' },
  };
  const { status, error } = await postSigned(deps.fetch ?? fetch, hook, event, `test.${event.deliveredAt}`, now);
  await recordDelivery(db, hook.id, { status, error }, now);
  return { delivered: error === null, status, error };
}
