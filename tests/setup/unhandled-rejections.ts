import { afterAll, expect } from 'vitest';

/**
 * The test suite fails on any unhandled promise rejection (issue 19): the ones of this test
 * file's process are collected, with their stacks, and asserted empty when the file ends;
 * the web process's own counter (what /api/metrics reports) must be 0 too.
 */
const seen: unknown[] = [];
const onRejection = (reason: unknown) => seen.push(reason);
process.on('unhandledRejection', onRejection);

afterAll(async () => {
  process.off('unhandledRejection', onRejection);
  // Imported here, not at the top: it loads server/env, and test files set their own variables
  // (DATA_DIR, KAFKA_TOPIC_PREFIX) before their first import of server code.
  const { unhandledRejections } = await import('~/server/observability/process-policy');
  const counted = (await unhandledRejections.get()).values.reduce((n, v) => n + v.value, 0);
  expect(
    seen.map((r) => (r instanceof Error ? (r.stack ?? r.message) : String(r))),
    'unhandled promise rejections',
  ).toEqual([]);
  expect(counted, 'drivelab_unhandled_rejections_total').toBe(0);
});
