import { defineConfig } from '@playwright/test';
import { OIDC_E2E } from './e2e/oidc-e2e';

/**
 * Browser tests run Debian's Chromium (Playwright's own browser download does not work on our
 * machines) against a production build served by server.ts on its own port.
 */
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const simMetricsPort = port + 91;

export default defineConfig({
  testDir: 'e2e',
  outputDir: '.state/test-results/playwright',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [['list']],
  use: {
    baseURL,
    browserName: 'chromium',
    viewport: { width: 1400, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      command: 'node --import tsx server.ts',
      url: `${baseURL}/api/metrics`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
      env: {
        ...(process.env as Record<string, string>),
        NODE_ENV: 'production',
        PORT: String(port),
        HOST: '127.0.0.1',
        DRIVELAB_SERVICE: 'web-e2e',
        // Every browser test signs up from 127.0.0.1; the default per-address limit is for people.
        SIGNUP_RATE_LIMIT: '10000/3600',
        // Single sign-on against the OpenID provider e2e/sso.spec.ts starts.
        OIDC_ISSUER: OIDC_E2E.issuer,
        OIDC_CLIENT_ID: OIDC_E2E.clientId,
        OIDC_CLIENT_SECRET: OIDC_E2E.clientSecret,
        OIDC_NAME: OIDC_E2E.name,
      },
    },
    {
      // The simulator worker, so runs started in the browser really run.
      command: 'node --import tsx workers/sim/main.ts',
      url: `http://127.0.0.1:${simMetricsPort}/health/ready`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
      env: {
        ...(process.env as Record<string, string>),
        METRICS_PORT: String(simMetricsPort),
        DRIVELAB_SERVICE: 'sim-e2e',
      },
    },
    {
      // The features worker, so the fleet overview shows vehicles' latest features.
      command: 'node --import tsx workers/features/main.ts',
      url: `http://127.0.0.1:${simMetricsPort + 2}/health/ready`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
      env: {
        ...(process.env as Record<string, string>),
        METRICS_PORT: String(simMetricsPort + 2),
        DRIVELAB_SERVICE: 'features-e2e',
        // Prefixed like the topics: kafkajs assigns a group's partitions across all its members
        // whatever each subscribed to, so a group shared with another stack's e2e run (other prefix)
        // handed this run's telemetry to that stack's worker and wrote no history here.
        FEATURES_GROUP_ID: `${process.env.KAFKA_TOPIC_PREFIX ?? ''}drivelab-features-e2e`,
        FEATURES_COMMIT_INTERVAL_MS: '500',
      },
    },
    {
      // The recorder, so finished runs have recordings to replay and download.
      command: 'node --import tsx workers/recorder/main.ts',
      url: `http://127.0.0.1:${simMetricsPort + 1}/health/ready`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
      env: {
        ...(process.env as Record<string, string>),
        METRICS_PORT: String(simMetricsPort + 1),
        DRIVELAB_SERVICE: 'recorder-e2e',
        RECORDER_GRACE_MS: '1000',
      },
    },
    {
      // The trainer, so training jobs started in the browser really train.
      command: 'node --import tsx workers/trainer/main.ts',
      url: `http://127.0.0.1:${simMetricsPort + 3}/health/ready`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
      env: {
        ...(process.env as Record<string, string>),
        METRICS_PORT: String(simMetricsPort + 3),
        DRIVELAB_SERVICE: 'trainer-e2e',
        TRAINER_POLL_S: '0.5',
      },
    },
  ],
});
