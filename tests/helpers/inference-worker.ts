import { randomBytes } from 'node:crypto';
import { db } from '~/server/db';
import { objectStore } from '~/server/store/object-store';
import { parseInferenceConfig } from '~/workers/inference/config';
import { startInferenceWorker, type InferenceWorkerOptions } from '~/workers/inference/worker';

/**
 * The inference worker in this process as the suites run it: HTTP on a free port, a consumer
 * group of its own (suites never share offsets), the test database and object store, and the
 * per-org rate limit out of the way. `env` adds worker settings, `o` the rest of the options.
 */
export function startTestInferenceWorker(
  groupStem: string,
  env: Record<string, string>,
  o: Pick<InferenceWorkerOptions, 'kafka' | 'redis'> & Partial<InferenceWorkerOptions>,
) {
  return startInferenceWorker({
    config: parseInferenceConfig({
      INFERENCE_HTTP_PORT: '0',
      INFERENCE_GROUP_ID: `${groupStem}-${randomBytes(4).toString('hex')}`,
      ...env,
    }),
    db,
    store: objectStore(),
    rateLimit: { limit: 1_000_000, windowS: 60 },
    ...o,
  });
}
