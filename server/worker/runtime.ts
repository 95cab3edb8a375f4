import { env } from '../env';
import { logger } from '../observability/logger';
import { startOpsServer } from '../observability/ops-http';
import { unhandledRejections } from '../observability/process-policy';

export interface WorkerHandle {
  /** Stop consuming, flush what is buffered, commit offsets. */
  stop(): Promise<void>;
  ready?(): boolean;
}

export interface WorkerOptions {
  name: string;
  /** 0 picks a free port; the port in use is logged. */
  metricsPort?: number;
  /** How long a graceful stop may take before the process exits anyway. */
  stopTimeoutMs?: number;
  start(): Promise<WorkerHandle>;
}

const drainMs = (options: WorkerOptions) =>
  env.WORKER_DRAIN_S !== undefined ? env.WORKER_DRAIN_S * 1000 : (options.stopTimeoutMs ?? 20_000);

/**
 * The entry convention of every workers/<name>/main.ts: its own metrics port, and a graceful
 * shutdown on SIGTERM/SIGINT (stop consuming, flush, commit, exit 0). A second signal exits at once.
 */
export async function runWorker(options: WorkerOptions): Promise<void> {
  const log = logger.child({ worker: options.name });
  let handle: WorkerHandle | undefined;
  let stopping = false;
  const ops = await startOpsServer({
    port: options.metricsPort ?? env.METRICS_PORT,
    host: env.METRICS_HOST,
    ready: () => handle !== undefined && (handle.ready?.() ?? true),
    draining: () => stopping,
  });
  log.info({ metricsPort: ops.port }, 'worker metrics listening');

  const shutdown = async (signal: string, code: number) => {
    if (stopping) {
      log.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'stopping');
    const deadline = setTimeout(() => {
      log.error('graceful stop timed out');
      process.exit(1);
    }, drainMs(options));
    deadline.unref();
    try {
      await handle?.stop();
      await ops.close();
      log.info('stopped cleanly');
    } catch (err) {
      log.error({ err }, 'error while stopping');
      code = 1;
    }
    process.exit(code);
  };

  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.on('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception');
    void shutdown('uncaughtException', 1);
  });
  process.on('unhandledRejection', (err) => {
    unhandledRejections.inc();
    log.fatal({ err }, 'unhandled rejection');
    void shutdown('unhandledRejection', 1);
  });

  try {
    handle = await options.start();
    log.info('worker started');
  } catch (err) {
    log.fatal({ err }, 'worker failed to start');
    await ops.close();
    process.exit(1);
  }
}
