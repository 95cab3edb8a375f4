import type { Consumer } from 'kafkajs';

/**
 * Whether the web's dl.run.status feed is flowing, so the heartbeat reaper can tell a dead
 * simulator from a feed that cannot deliver. A run's heartbeat is the time the tracker last
 * *processed* one of its statuses; while the broker restarts (or the consumer rejoins, or works
 * through a backlog) every running run stops getting heartbeats at once although every simulator
 * is alive and its statuses are waiting in Kafka. Reaping then fails healthy runs for good (a
 * terminal state is final), which is what the broker-restart chaos test found (issue 18).
 *
 * The feed is "up" while fetches keep completing: kafkajs fetches at least every maxWaitTimeInMs
 * (5 s by default) even with nothing to read. After a gap, a crash or a rebalance the feed counts
 * as up again only from its next fetch, and a run is stale only when it has had no heartbeat for
 * the whole timeout *while the feed was up*.
 */
export class StatusFeedWatch {
  private lastFetch = -Infinity;
  private upSince = Infinity;

  constructor(
    /** Longer than the consumer's fetch wait, so an idle but healthy feed never looks down. */
    private readonly gapMs = 15_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** A fetch completed. */
  fetched(): void {
    const t = this.now();
    if (t - this.lastFetch > this.gapMs || this.upSince === Infinity) this.upSince = t;
    this.lastFetch = t;
  }

  /** The consumer crashed, rebalanced or stopped: heartbeats may be missing until it fetches again. */
  interrupted(): void {
    this.upSince = Infinity;
  }

  /** The earliest heartbeat that still proves a run alive, or null when no run may be reaped now. */
  reapCutoff(timeoutMs: number): Date | null {
    const t = this.now();
    if (t - this.lastFetch > this.gapMs) return null;
    const cutoff = t - timeoutMs;
    // The feed must have been up for the whole timeout: a run may have been silent only because of the outage.
    if (this.upSince > cutoff) return null;
    return new Date(cutoff);
  }

  /** Follows a kafkajs consumer's instrumentation events. */
  follow(consumer: Pick<Consumer, 'on' | 'events'>): void {
    const e = consumer.events;
    consumer.on(e.FETCH, () => this.fetched());
    consumer.on(e.CRASH, () => this.interrupted());
    consumer.on(e.REBALANCING, () => this.interrupted());
    consumer.on(e.DISCONNECT, () => this.interrupted());
  }
}
