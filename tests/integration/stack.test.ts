import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigResourceTypes } from 'kafkajs';
import { createKafka } from '~/server/kafka/client';
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

  it('lets commit metadata hold the resume points of many concurrent runs (64 KB, not the default 4 KB)', async () => {
    const admin = createKafka({ clientId: 'test-stack' }).admin();
    await admin.connect();
    try {
      const { brokers } = await admin.describeCluster();
      const res = await admin.describeConfigs({
        resources: [
          {
            type: ConfigResourceTypes.BROKER,
            name: String(brokers[0]!.nodeId),
            configNames: ['offset.metadata.max.bytes'],
          },
        ],
        includeSynonyms: false,
      });
      expect(
        res.resources[0]!.configEntries.find((e) => e.configName === 'offset.metadata.max.bytes')?.configValue,
      ).toBe('65536');
    } finally {
      await admin.disconnect();
    }
  });
});
