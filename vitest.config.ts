import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

function testDatabaseUrl(): string {
  if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
  const url = new URL(process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/drivelab');
  const name = url.pathname.replace(/^\//, '') || 'drivelab';
  // npm test already points DATABASE_URL at the test database; do not append twice.
  if (!name.endsWith('_test')) url.pathname = `/${name}_test`;
  return url.toString();
}

export default defineConfig({
  resolve: {
    alias: { '~': fileURLToPath(new URL('.', import.meta.url)) },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    // Integration tests share one broker, database and Redis; files run one at a time to keep
    // the 2-core CI machine responsive and the timings of consumer groups predictable.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    globalSetup: ['tests/global-setup.ts'],
    // Any unhandled promise rejection fails the file it happened in (issue 19).
    setupFiles: ['tests/setup/unhandled-rejections.ts'],
    // Never the development database or unprefixed topics, even when vitest runs on its own.
    env: {
      KAFKA_TOPIC_PREFIX: process.env.KAFKA_TOPIC_PREFIX || 'test.',
      DATABASE_URL: testDatabaseUrl(),
      LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
      // Tests sign up many accounts from 127.0.0.1; the per-address default is meant for people.
      SIGNUP_RATE_LIMIT: '100000/3600',
    },
  },
});
