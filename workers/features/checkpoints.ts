import type { CommitCoordinator } from '~/server/kafka/commit-coordinator';
import type { PartitionHandover } from './handover';
import type { WindowOperator } from './operator';
import type { FeatureSinks } from './sinks';
import { featureMetrics as fm } from './worker-metrics';

/**
 * When the features stage commits, and what: the operator's resume points of the partitions this
 * copy owns (with the handover's high-water mark), committed by the coordinator only after every
 * sink write of what was emitted before has been acknowledged.
 */
export class Checkpoints {
  private lastCommit = 0;

  constructor(
    private readonly o: {
      op: WindowOperator;
      handover: PartitionHandover;
      coordinator: CommitCoordinator;
      sinks: FeatureSinks;
      intervalMs: number;
    },
  ) {}

  /** Commits what the operator allows, once the sinks hold everything emitted before. */
  async commit(): Promise<void> {
    const { op, handover, coordinator, sinks } = this.o;
    if (coordinator.failed) return;
    // The snapshot first: everything emitted before it is in the sinks' queues by now.
    const entries = handover.commitEntries(op.committableOffsets());
    if (await coordinator.commit(entries, () => sinks.flush())) fm.commits.inc();
  }

  /** After a step: hands buffered records to the sinks, waits for a sink that lags, commits when due. */
  async afterWork(): Promise<void> {
    this.o.sinks.flush();
    await this.o.coordinator.backPressure();
    const now = Date.now();
    if (now - this.lastCommit >= this.o.intervalMs) {
      this.lastCommit = now;
      await this.commit();
    }
  }
}
