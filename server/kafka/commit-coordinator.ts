import type { Consumer } from 'kafkajs';
import { childLogger } from '~/server/observability/logger';
import { SinkChain, type SinkTimer } from './sink-chain';

const log = childLogger('commit');

export interface CommitEntry {
  topic: string;
  partition: number;
  /** The next offset to consume after a restart. */
  offset: string;
  metadata?: string | null;
}

export interface CommitCoordinatorOptions {
  /** Names of the sink chains, e.g. ['features', 'online', 'offline', 'dlq']. */
  sinks?: readonly string[];
  /** Commits the offsets (typically consumer.commitOffsets). */
  commit: (entries: CommitEntry[]) => Promise<void>;
  /** A sink that failed for good: no commit follows, the process should restart and replay. */
  onFatal?: (err: unknown) => void;
  /** Write attempts of a sink before it fails for good (default 6). */
  attempts?: number;
  /** Times each sink write (metrics). */
  timer?: SinkTimer;
  /** A sink with more writes queued than this makes backPressure() wait (default 4). */
  maxQueued?: number;
  /**
   * Leave out offsets that did not move since this coordinator's last commit. Only for a consumer
   * that keeps its partitions (another copy may have committed them meanwhile otherwise).
   */
  skipUnchanged?: boolean;
}

/**
 * The sink-and-commit end of a Kafka stage, as Flink's checkpoint barrier would run it: records
 * go to sink chains that write in order while reading goes on; a commit first snapshots what
 * may be committed, then waits until every write queued before it is acknowledged, and only then
 * commits. A sink that fails for good stops all later commits, so a restart replays everything
 * not yet written.
 */
export class CommitCoordinator {
  private readonly chains = new Map<string, SinkChain>();
  private fatalError: unknown = null;
  private readonly last = new Map<string, string>();
  private readonly o: CommitCoordinatorOptions;
  commits = 0;
  lastCommitAt = 0;

  constructor(o: CommitCoordinatorOptions) {
    this.o = o;
    for (const name of o.sinks ?? []) this.chains.set(name, new SinkChain(name, this.fail, o.attempts, o.timer));
  }

  /** Kafka consumer's commitOffsets as the commit function. */
  static forConsumer(consumer: Consumer, o: Omit<CommitCoordinatorOptions, 'commit'>): CommitCoordinator {
    return new CommitCoordinator({ ...o, commit: (entries) => consumer.commitOffsets(entries) });
  }

  readonly fail = (err: unknown): void => {
    if (this.fatalError) return;
    this.fatalError = err;
    log.error({ err }, 'sink failed for good; no further commits');
    this.o.onFatal?.(err);
  };

  get failed(): boolean {
    return this.fatalError !== null;
  }

  sink(name: string): SinkChain {
    const chain = this.chains.get(name);
    if (!chain) throw new Error(`no sink named ${name}`);
    return chain;
  }

  /** Resolves when every write queued so far, in every sink, is done (or failed for good). */
  async drain(): Promise<void> {
    await Promise.all([...this.chains.values()].map((c) => c.drain()));
  }

  /** A sink that falls behind slows reading down instead of growing a queue. */
  async backPressure(): Promise<void> {
    const max = this.o.maxQueued ?? 4;
    for (const chain of this.chains.values()) if (chain.pending > max) await chain.drain();
  }

  /**
   * Commits the snapshot once the sinks have written everything queued before this call.
   * `beforeDrain` runs after the snapshot and before the wait: it hands what is still buffered
   * to the sinks. Returns false when nothing was committed (no change, failed sink, or a commit
   * the broker refused, e.g. during a rebalance: the next commit catches up).
   */
  async commit(snapshot: CommitEntry[], beforeDrain?: () => void): Promise<boolean> {
    if (this.fatalError) return false;
    beforeDrain?.();
    await this.drain();
    const changed = this.o.skipUnchanged ? snapshot.filter((e) => this.last.get(keyOf(e)) !== stateOf(e)) : snapshot;
    if (this.fatalError || changed.length === 0) return false;
    try {
      await this.o.commit(changed);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'offset commit refused; retried with the next one');
      return false;
    }
    if (this.o.skipUnchanged) for (const e of changed) this.last.set(keyOf(e), stateOf(e));
    this.commits++;
    this.lastCommitAt = Date.now();
    return true;
  }
}

const keyOf = (e: CommitEntry) => `${e.topic}\u0000${e.partition}`;
const stateOf = (e: CommitEntry) => `${e.offset}|${e.metadata ?? ''}`;
