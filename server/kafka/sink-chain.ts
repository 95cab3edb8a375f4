import { childLogger } from '~/server/observability/logger';

const log = childLogger('sink');

/** Starts timing one write; the returned function ends it (e.g. a prom-client Histogram timer). */
export type SinkTimer = (sink: string) => () => void;

/**
 * One sink's writes, run one after another in the order they were queued (a later revision of a
 * record is never overtaken by an earlier one), while the consumer goes on reading. A failing
 * write is retried with backoff; when it keeps failing the owner is told (onFatal) and commits
 * stop, so a restart replays from the last commit and nothing is lost.
 */
export class SinkChain {
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;

  constructor(
    readonly name: string,
    private readonly onFatal: (err: unknown) => void,
    private readonly attempts = 6,
    private readonly timer?: SinkTimer,
  ) {}

  get pending(): number {
    return this.queued;
  }

  push(write: () => Promise<void>): void {
    this.queued++;
    this.tail = this.tail.then(async () => {
      const end = this.timer?.(this.name);
      try {
        for (let attempt = 1; ; attempt++) {
          try {
            await write();
            return;
          } catch (err) {
            if (attempt >= this.attempts) throw err;
            log.warn({ sink: this.name, attempt, err }, 'sink write failed, retrying');
            await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** attempt)));
          }
        }
      } catch (err) {
        this.onFatal(err);
      } finally {
        end?.();
        this.queued--;
      }
    });
  }

  /** Resolves when every write queued so far is done (or has failed for good). */
  drain(): Promise<void> {
    return this.tail;
  }
}
