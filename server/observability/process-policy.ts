import { Counter } from 'prom-client';
import { childLogger } from './logger';
import { metrics } from './metrics';

const log = childLogger('process');

/** Kept on globalThis: Next.js route bundles and server.ts load this module separately. */
const g = globalThis as unknown as { drivelabUnhandled?: Counter; drivelabPolicyInstalled?: boolean };

/** drivelab_unhandled_rejections_total: should stay 0; any increase is a bug with a log line. */
export const unhandledRejections: Counter =
  g.drivelabUnhandled ??
  (g.drivelabUnhandled = new Counter({
    name: 'drivelab_unhandled_rejections_total',
    help: 'Promise rejections nobody handled (each is logged with its stack); should stay 0',
    registers: [metrics.registry],
  }));

/** Logs an unhandled rejection with its context and counts it. */
export function recordUnhandledRejection(reason: unknown, context: Record<string, unknown> = {}): void {
  unhandledRejections.inc();
  log.error(
    { err: reason instanceof Error ? reason : { value: String(reason) }, ...context },
    'unhandled promise rejection',
  );
}

/**
 * The process-wide policy of the web process: an unhandled rejection is logged with its
 * stack and counted, and the process keeps serving (one bad request must not drop every
 * socket). Workers (server/worker/runtime.ts) count it too, then stop so that they restart
 * from committed offsets. The test suite fails on any (tests/setup/unhandled-rejections.ts).
 */
export function installProcessPolicy(service: string): void {
  if (g.drivelabPolicyInstalled) return;
  g.drivelabPolicyInstalled = true;
  process.on('unhandledRejection', (reason) => recordUnhandledRejection(reason, { service }));
}
