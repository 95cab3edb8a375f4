import { hostname } from 'node:os';
import type { PrismaClient } from '@prisma/client';
import type { Kafka } from 'kafkajs';
import type { Namespace } from 'socket.io';
import { trainingProgressSchema, type TrainingProgress } from '../contracts/training';
import { CONSUMER_GROUPS, TOPICS } from '../kafka/topics';
import { RejectMessage, runValidatedConsumer } from '../kafka/typed';
import { orgRoom } from './relay-buffer';

export const jobRoom = (jobId: string) => `job:${jobId}`;
export const TRAINING_EVENT = 'training';

/**
 * Collects dl.training messages between flushes: a job room gets every epoch point (the curves
 * need them all), an org room only each job's latest state (job lists show a progress bar).
 * Pure, so the batching is tested without sockets.
 */
export class TrainingRelayBuffer {
  private readonly jobs = new Map<string, TrainingProgress[]>();

  offer(p: TrainingProgress): void {
    let list = this.jobs.get(p.jobId);
    if (!list) this.jobs.set(p.jobId, (list = []));
    list.push(p);
    // A flood for one job keeps the newest points; the page reloads history from Postgres anyway.
    if (list.length > 2000) list.shift();
  }

  flush(): Map<string, TrainingProgress[]> {
    const out = new Map<string, TrainingProgress[]>();
    const latestByOrg = new Map<string, TrainingProgress[]>();
    for (const [jobId, list] of this.jobs) {
      out.set(jobRoom(jobId), list);
      const last = list.at(-1)!;
      const org = orgRoom(last.orgId);
      latestByOrg.set(org, [...(latestByOrg.get(org) ?? []), last]);
    }
    for (const [room, list] of latestByOrg) out.set(room, list);
    this.jobs.clear();
    return out;
  }
}

/**
 * dl.training → Socket.IO, per web instance (own consumer group, latest offsets). A message
 * whose job does not belong to its orgId is rejected to dl.dlq, like every consumer's tenant check.
 */
export async function startTrainingRelay(
  kafka: Kafka,
  live: Namespace,
  db: PrismaClient,
  options: { prefix?: string; intervalMs?: number; groupId?: string } = {},
) {
  const buffer = new TrainingRelayBuffer();
  const owners = new Map<string, string | null>();
  const ownerOf = async (jobId: string) => {
    if (!owners.has(jobId)) {
      if (owners.size > 10_000) owners.clear();
      owners.set(
        jobId,
        (await db.trainingJob.findUnique({ where: { id: jobId }, select: { orgId: true } }))?.orgId ?? null,
      );
    }
    return owners.get(jobId) ?? null;
  };
  const groupId = options.groupId ?? `${CONSUMER_GROUPS.webTraining}-${hostname()}-${process.pid}`;
  const consumer = await runValidatedConsumer({
    kafka,
    groupId,
    topic: TOPICS.training,
    schema: trainingProgressSchema,
    prefix: options.prefix,
    fromBeginning: false,
    handle: async (p) => {
      const owner = await ownerOf(p.jobId);
      if (owner !== p.orgId)
        throw new RejectMessage(
          'tenant',
          owner ? `job ${p.jobId} belongs to another org` : `unknown training job ${p.jobId}`,
          p.orgId,
        );
      const watched =
        (live.adapter.rooms.get(jobRoom(p.jobId))?.size ?? 0) > 0 ||
        (live.adapter.rooms.get(orgRoom(p.orgId))?.size ?? 0) > 0;
      if (watched) buffer.offer(p);
    },
  });
  const timer = setInterval(() => {
    for (const [room, updates] of buffer.flush()) live.to(room).emit(TRAINING_EVENT, { room, updates });
  }, options.intervalMs ?? 200);
  return {
    buffer,
    stop: async () => {
      clearInterval(timer);
      await consumer.stop();
      const admin = kafka.admin();
      await admin
        .connect()
        .then(() => admin.deleteGroups([groupId]))
        .catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    },
  };
}
