import { hostname } from 'node:os';
import type { PrismaClient } from '@prisma/client';
import type { Kafka } from 'kafkajs';
import { Counter } from 'prom-client';
import type { Namespace, Server, Socket } from 'socket.io';
import { z } from 'zod';
import { resolveCaller, type Caller } from '../auth/caller';
import { simEventSchema } from '../contracts/events';
import { alertMessageSchema, predictionMessageSchema } from '../contracts/predictions';
import { runStatusSchema } from '../contracts/run-status';
import { telemetryFrameSchema } from '../contracts/telemetry';
import { AppError, asAppError, type ErrorIssue } from '../errors';
import { topic } from '../kafka/client';
import { CONSUMER_GROUPS, TOPICS } from '../kafka/topics';
import { childLogger } from '../observability/logger';
import { metrics } from '../observability/metrics';
import type { Redis } from 'ioredis';
import { orgRoom, RelayBuffer, runRoom } from './relay-buffer';
import { env } from '../env';

const log = childLogger('live');

/** What the handshake middleware leaves on every admitted socket (socket.io types `data` as any). */
interface SocketData {
  caller: Caller;
}

type JoinAck = { ok: true; room: string } | ReturnType<typeof socketAckError>;
export const LIVE_NAMESPACE = '/live';

const joinSchema = z.object({
  room: z
    .string()
    .regex(/^(run|org|job):[A-Za-z0-9_-]{1,64}$/, 'room must be run:<id>, job:<training job id> or org:<slug>'),
});

const droppedBatches = new Counter({
  name: 'drivelab_live_dropped_batches_total',
  help: 'Live batches not sent to a socket whose buffer was full',
  registers: [metrics.registry],
});
const sentBatches = new Counter({
  name: 'drivelab_live_batches_total',
  help: 'Live batches sent to sockets',
  registers: [metrics.registry],
});

/** May this caller watch this room? Same rule as the org-scoped tRPC procedure: members only. */
export async function resolveRoom(db: PrismaClient, caller: Caller, requested: string): Promise<string | null> {
  if (caller.kind === 'anonymous') return null;
  const [kind, key] = requested.split(':') as ['run' | 'org' | 'job', string];
  let orgId: string | null;
  let room: string;
  if (kind === 'job') {
    const job = await db.trainingJob.findUnique({ where: { id: key }, select: { orgId: true } });
    orgId = job?.orgId ?? null;
    room = `job:${key}`;
  } else if (kind === 'run') {
    const run = await db.run.findUnique({ where: { id: key }, select: { orgId: true } });
    orgId = run?.orgId ?? null;
    room = runRoom(key);
  } else {
    const org = await db.organization.findUnique({ where: { slug: key }, select: { id: true } });
    orgId = org?.id ?? null;
    room = orgRoom(org?.id ?? '');
  }
  if (!orgId) return null;
  if (caller.kind === 'apiKey') return caller.orgId === orgId ? room : null;
  const m = await db.membership.findUnique({
    where: { orgId_userId: { orgId, userId: caller.userId } },
    select: { id: true },
  });
  return m ? room : null;
}

/** An API key is printable ASCII without spaces; anything else cannot be one (nor a header value). */
const apiKeySchema = z
  .string()
  .max(200, 'is longer than any API key')
  .regex(/^[\x21-\x7E]+$/, 'is not an API key: only printable ASCII characters without spaces');

/**
 * The handshake's credentials as request headers. Throws an AppError (never a TypeError from
 * `Headers.set`) for an apiKey that is not a string of key characters, so the client always
 * gets a connect_error with the reason.
 */
function handshakeHeaders(socket: Socket): Headers {
  const h = new Headers();
  const { cookie, authorization } = socket.handshake.headers;
  if (typeof cookie === 'string') h.set('cookie', cookie);
  if (typeof authorization === 'string') h.set('authorization', authorization);
  const apiKey = (socket.handshake.auth as { apiKey?: unknown } | undefined)?.apiKey;
  if (apiKey !== undefined) {
    const key = apiKeySchema.safeParse(apiKey);
    if (!key.success) {
      const bad = AppError.fromZod(key.error, 'Invalid apiKey', ['auth', 'apiKey']);
      throw new AppError('UNAUTHORIZED', bad.message, { issues: bad.issues });
    }
    h.set('authorization', `Bearer ${key.data}`);
  }
  return h;
}

/**
 * The Socket.IO mapping of AppError (server/errors.ts). For connect_error: an Error whose
 * message starts with the code (clients match on it) and whose `data` is { code, issues }.
 */
export function socketError(err: AppError): Error & { data: { code: string; issues: ErrorIssue[] } } {
  return Object.assign(new Error(`${err.code}: ${err.message}`), { data: { code: err.code, issues: err.issues } });
}

/** For acknowledgements: { ok: false, error, code, issues }, the HTTP error body plus ok. */
export function socketAckError(err: AppError): { ok: false; error: string; code: string; issues: ErrorIssue[] } {
  return { ok: false, error: err.message, code: err.code, issues: err.issues };
}

/**
 * The /live namespace: the handshake authenticates the session cookie or an API key; joining a
 * room (run:<id>, org:<slug>) needs membership of its org. A non-member is told NOT_FOUND.
 */
export function attachLiveNamespace(io: Server, deps: { db: PrismaClient; redis: () => Redis }): Namespace {
  const live = io.of(LIVE_NAMESPACE);
  live.use((socket, next) => {
    // Every path answers: a bad credential, a rate limit or a broken dependency all reach the
    // client as connect_error with a reason; nothing is left as an unhandled rejection.
    const refuse = (err: unknown) => {
      const app = asAppError(err);
      if (!app) log.error({ err }, 'live handshake failed');
      next(socketError(app ?? new AppError('INTERNAL_SERVER_ERROR', 'the handshake failed; it has been logged')));
    };
    let headers: Headers;
    try {
      headers = handshakeHeaders(socket);
    } catch (err) {
      refuse(err);
      return;
    }
    resolveCaller(headers, deps)
      .then((caller) => {
        if (caller.kind === 'anonymous') refuse(new AppError('UNAUTHORIZED', 'sign in or pass an API key'));
        else {
          (socket.data as SocketData).caller = caller;
          next();
        }
      })
      .catch(refuse);
  });
  live.on('connection', (socket) => {
    socket.on('join', async (payload: unknown, ack?: (r: JoinAck) => void) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      const parsed = joinSchema.safeParse(payload);
      if (!parsed.success) {
        reply(socketAckError(AppError.fromZod(parsed.error, 'BAD_REQUEST: invalid join')));
        return;
      }
      try {
        const room = await resolveRoom(deps.db, (socket.data as SocketData).caller, parsed.data.room);
        if (!room) {
          reply(socketAckError(new AppError('NOT_FOUND', 'NOT_FOUND')));
          return;
        }
        await socket.join(room);
        reply({ ok: true, room });
      } catch (err) {
        log.error({ err }, 'join failed');
        reply(socketAckError(new AppError('INTERNAL_SERVER_ERROR', 'INTERNAL')));
      }
    });
    socket.on('leave', async (payload: unknown) => {
      const parsed = joinSchema.safeParse(payload);
      if (parsed.success) {
        const room = await resolveRoom(deps.db, (socket.data as SocketData).caller, parsed.data.room).catch(() => null);
        if (room) await socket.leave(room);
      }
    });
  });
  return live;
}

/**
 * Packets engine.io has not yet written to this client (its private write buffer, absent from
 * its typings: the only measure of a slow client socket.io offers).
 */
function pendingPackets(socket: Socket): number {
  return (socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length;
}

export interface RelayOptions {
  prefix?: string;
  intervalMs?: number;
  rateHz?: number;
  /** Packets waiting in a socket's write buffer beyond which its batches are dropped. */
  maxBufferedPackets?: number;
  groupId?: string;
}

/**
 * Kafka → Socket.IO, per web instance (its own consumer group, latest offsets): each instance
 * serves its own sockets, so the web tier scales out. Every ~100 ms one batch per room; a socket
 * whose buffer is full is skipped for that batch, so a slow client never slows the others.
 */
export async function startLiveRelay(
  kafka: Kafka,
  live: Namespace,
  options: RelayOptions = {},
): Promise<{ stop: () => Promise<void>; buffer: RelayBuffer }> {
  const buffer = new RelayBuffer({
    rateHz: options.rateHz ?? env.LIVE_RATE_HZ,
    maxFramesPerRoom: 5000,
  });
  const maxBuffered = options.maxBufferedPackets ?? 20;
  const watched = (room: string) => (live.adapter.rooms.get(room)?.size ?? 0) > 0;
  const topics = {
    telemetry: topic(TOPICS.telemetry, options.prefix),
    events: topic(TOPICS.events, options.prefix),
    status: topic(TOPICS.runStatus, options.prefix),
    predictions: topic(TOPICS.predictions, options.prefix),
    alerts: topic(TOPICS.alerts, options.prefix),
  };
  const consumer = kafka.consumer({
    groupId: options.groupId ?? `${CONSUMER_GROUPS.webRelay}-${hostname()}-${process.pid}`,
    sessionTimeout: 10_000,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: Object.values(topics), fromBeginning: false });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        if (!m.value) continue;
        let json: unknown;
        try {
          json = JSON.parse(m.value.toString('utf8'));
        } catch {
          continue; // the consumers that own these topics send bad input to the DLQ
        }
        if (batch.topic === topics.telemetry) {
          const f = telemetryFrameSchema.safeParse(json);
          if (f.success) buffer.offerFrame(f.data, watched);
        } else if (batch.topic === topics.events) {
          const e = simEventSchema.safeParse(json);
          if (e.success) buffer.offerEvent(e.data, watched);
        } else if (batch.topic === topics.predictions) {
          const p = predictionMessageSchema.safeParse(json);
          if (p.success) buffer.offerPrediction(p.data, watched);
        } else if (batch.topic === topics.alerts) {
          const a = alertMessageSchema.safeParse(json);
          if (a.success) buffer.offerAlert(a.data, watched);
        } else {
          const s = runStatusSchema.safeParse(json);
          if (s.success) buffer.offerStatus(s.data, watched);
        }
      }
    },
  });
  const timer = setInterval(() => {
    for (const [room, payload] of buffer.flush()) {
      const ids = live.adapter.rooms.get(room);
      if (!ids) continue;
      for (const id of ids) {
        const socket = live.sockets.get(id);
        if (!socket) continue;
        if (pendingPackets(socket) > maxBuffered) {
          droppedBatches.inc();
          continue;
        }
        socket.emit('batch', { room, ...payload });
        sentBatches.inc();
      }
    }
  }, options.intervalMs ?? 100);
  return {
    buffer,
    stop: async () => {
      clearInterval(timer);
      await consumer.disconnect();
      const admin = kafka.admin();
      // The instance's group dies with the instance; do not leave it behind on the broker.
      await admin
        .connect()
        .then(() => admin.deleteGroups([options.groupId ?? `${CONSUMER_GROUPS.webRelay}-${hostname()}-${process.pid}`]))
        .catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    },
  };
}
