import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stackUp, stateDir } from '~/scripts/lib/stack';

describe('stack bring-up', () => {
  it('is idempotent: a second stack:up reuses what runs and starts nothing', async () => {
    const pidPath = join(stateDir, 'kafka.pid');
    const before = existsSync(pidPath) ? readFileSync(pidPath, 'utf8') : null;
    const result = await stackUp({ topicPrefixes: [process.env.KAFKA_TOPIC_PREFIX ?? 'test.'] });
    expect(result.started).toEqual([]);
    expect(result.testDatabaseUrl).toMatch(/_test$/);
    const after = existsSync(pidPath) ? readFileSync(pidPath, 'utf8') : null;
    expect(after).toBe(before);
  });
});
