import type { Consumer } from 'kafkajs';

/**
 * Liveness and readiness of a process's Kafka consumers, driven only by kafkajs' instrumentation
 * events (no polling of the broker, so a probe never waits on Kafka).
 *
 * - joined: GROUP_JOIN seen, with or without partitions. A copy beyond the topic's partition count
 *   gets an empty assignment and is still ready: it takes partitions over when another copy leaves.
 * - rebalancing: a rebalance is under way after a join; the member stays in the group, still ready.
 * - waiting: connected (or restarting after a retriable crash) but not (re)joined yet: not ready.
 * - crashed: CRASH with restart=false, kafkajs will never consume again: not live, so the
 *   orchestrator restarts the process instead of leaving a zombie that holds no partitions.
 * A consumer that was stopped or disconnected on purpose no longer counts; the runtime marks the
 * whole process not ready while it drains.
 */
export type ConsumerPhase = 'waiting' | 'joined' | 'rebalancing' | 'crashed' | 'gone';

export interface ConsumerState {
  groupId: string;
  phase: ConsumerPhase;
  /** Partitions assigned at the last join (0 for an idle copy). */
  partitions: number;
  since: number;
  error?: string;
}

export interface ProbeResult {
  ok: boolean;
  reasons: string[];
  consumers: ConsumerState[];
}

/** The subset of a kafkajs consumer that the tracker listens to (a fake in unit tests). */
export type ConsumerEvents = Pick<Consumer, 'on' | 'events'>;

export class KafkaHealth {
  private readonly states = new Map<number, ConsumerState>();
  private nextId = 1;

  constructor(private readonly now: () => number = Date.now) {}

  track(consumer: ConsumerEvents, groupId: string): void {
    const id = this.nextId++;
    const set = (phase: ConsumerPhase, extra: Partial<ConsumerState> = {}) => {
      const prev = this.states.get(id);
      this.states.set(id, {
        groupId,
        partitions: prev?.partitions ?? 0,
        ...extra,
        phase,
        since: this.now(),
      });
    };
    const e = consumer.events;
    consumer.on(e.CONNECT, () => set('waiting'));
    consumer.on(e.GROUP_JOIN, (ev) => {
      // kafkajs types these payload fields as always set; a consumer without partitions has none.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
      const assignment = (ev.payload.memberAssignment ?? {}) as Record<string, number[]>;
      const partitions = Object.values(assignment).reduce((n, ps) => n + ps.length, 0);
      set('joined', { partitions });
    });
    consumer.on(e.REBALANCING, () => {
      // Only a member that had joined is still one during a rebalance.
      if (this.states.get(id)?.phase === 'joined') set('rebalancing');
    });
    // kafkajs emits STOP and DISCONNECT before CRASH, so a crash overrides them just after.
    consumer.on(e.STOP, () => set('gone'));
    consumer.on(e.DISCONNECT, () => set('gone'));
    consumer.on(e.CRASH, (ev) => {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- kafkajs can crash with a non-Error
      const error = ev.payload.error?.message ?? String(ev.payload.error);
      set(ev.payload.restart ? 'waiting' : 'crashed', { error });
    });
  }

  consumers(): ConsumerState[] {
    return [...this.states.values()].filter((s) => s.phase !== 'gone');
  }

  /** Live unless a consumer crashed for good. */
  live(): ProbeResult {
    const consumers = this.consumers();
    const reasons = consumers
      .filter((c) => c.phase === 'crashed')
      .map((c) => `consumer ${c.groupId} crashed and will not restart: ${c.error ?? 'unknown error'}`);
    return { ok: reasons.length === 0, reasons, consumers };
  }

  /** Ready when every consumer still in use has joined its group (partitions or not). */
  ready(): ProbeResult {
    const consumers = this.consumers();
    const reasons = consumers
      .filter((c) => c.phase === 'waiting' || c.phase === 'crashed')
      .map((c) =>
        c.phase === 'crashed'
          ? `consumer ${c.groupId} crashed`
          : `consumer ${c.groupId} has not joined its group yet${c.error ? ` (last error: ${c.error})` : ''}`,
      );
    return { ok: reasons.length === 0, reasons, consumers };
  }
}

const globalForHealth = globalThis as unknown as { drivelabKafkaHealth?: KafkaHealth };

/** The process-wide tracker: server/kafka/client.ts registers every consumer it creates. */
export const kafkaHealth: KafkaHealth = (globalForHealth.drivelabKafkaHealth ??= new KafkaHealth());
