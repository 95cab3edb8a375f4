import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { commandExists, root, run } from './proc';
import { stackDown, stackUp, stateDir } from './stack';
import { seed } from '../../prisma/seed';
import { bin, buildWeb, migrate } from './tasks';

export const TEST_TOPIC_PREFIX = 'test.';
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Debian packages the tests call: the browser, and xmllint for the OpenSCENARIO schema checks. */
const DEBIAN_TOOLS = [
  { pkg: 'chromium', path: CHROMIUM, why: 'the browser tests (or set CHROMIUM_PATH)' },
  { pkg: 'libxml2-utils', path: 'xmllint', why: 'validating exported OpenSCENARIO files against the ASAM schema' },
  { pkg: 'prometheus', path: 'promtool', why: 'checking and unit-testing the alert rules (deploy/monitoring)' },
  { pkg: 'openssl', path: 'openssl', why: 'making the certificates of the SASL_SSL Kafka test' },
];

/** Only the compose stage needs these; they are installed when that stage is asked for. */
const COMPOSE_TOOLS = [
  { pkg: 'docker.io', path: 'dockerd', why: 'the compose test (deploy/compose.yaml), in its own dockerd' },
  { pkg: 'docker-compose', path: 'docker-compose', why: 'the compose test' },
  { pkg: 'debootstrap', path: 'debootstrap', why: 'the Debian base of the container image' },
];

async function ensureDebianTools(compose: boolean): Promise<void> {
  const tools = compose ? [...DEBIAN_TOOLS, ...COMPOSE_TOOLS] : DEBIAN_TOOLS;
  const missing = tools.filter((t) => (t.path.startsWith('/') ? !existsSync(t.path) : !commandExists(t.path)));
  if (missing.length === 0) return;
  const pkgs = missing.map((t) => t.pkg);
  if (process.getuid?.() !== 0 || !commandExists('apt-get')) {
    throw new Error(
      `Missing ${missing.map((t) => `${t.pkg} (for ${t.why})`).join(' and ')}: install with apt-get install -y ${pkgs.join(' ')}.`,
    );
  }
  console.log(`[test] installing ${pkgs.join(', ')} from Debian packages…`);
  if ((await run('apt-get', ['update', '-qq'])) !== 0) throw new Error('apt-get update failed');
  const code = await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const still = tools.filter((t) => (t.path.startsWith('/') ? !existsSync(t.path) : !commandExists(t.path)));
  if (code !== 0 || still.length > 0) throw new Error(`Installing ${pkgs.join(' ')} failed`);
}

interface StepResult {
  name: string;
  ok: boolean;
  seconds: number;
  passed?: number;
  failed?: number;
  skipped?: number;
}

function vitestCounts(file: string): Pick<StepResult, 'passed' | 'failed' | 'skipped'> {
  if (!existsSync(file)) return {};
  const r = JSON.parse(readFileSync(file, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  return { passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + r.numTodoTests };
}

function playwrightCounts(file: string): Pick<StepResult, 'passed' | 'failed' | 'skipped'> {
  if (!existsSync(file)) return {};
  const r = JSON.parse(readFileSync(file, 'utf8')) as {
    stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  };
  return { passed: r.stats.expected + r.stats.flaky, failed: r.stats.unexpected, skipped: r.stats.skipped };
}

/**
 * `npm test`: installs what is missing, brings the stack up, migrates the test database, then
 * typecheck, vitest (unit + integration against the real services), a production build and
 * Playwright in Debian's Chromium. Every stage runs; the exit code is non-zero if any failed.
 */
export async function runTests(args: string[]): Promise<number> {
  const t0 = Date.now();
  const out = join(stateDir, 'test-results');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const only = new Set(args.filter((a) => !a.startsWith('-')));
  const wants = (stage: string) => only.size === 0 || only.has(stage);
  // The compose end-to-end stage builds two images and starts a whole second stack: 15+ minutes
  // cold on a 2-core machine, which would double the suite. It runs when named
  // (`npm test -- compose`), never by default, and fails loudly when Docker cannot run.
  const wantsCompose = only.has('compose');

  await ensureDebianTools(wantsCompose);
  const stack = await stackUp({ topicPrefixes: [TEST_TOPIC_PREFIX] });
  const testEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: stack.testDatabaseUrl,
    KAFKA_TOPIC_PREFIX: TEST_TOPIC_PREFIX,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    CHROMIUM_PATH: CHROMIUM,
    NEXT_TELEMETRY_DISABLED: '1',
  };
  const results: StepResult[] = [];
  const step = async (
    name: string,
    fn: () => Promise<boolean>,
    counts?: () => Pick<StepResult, 'passed' | 'failed' | 'skipped'>,
  ) => {
    const s = Date.now();
    console.log(`\n[test] ── ${name} ──`);
    let ok = false;
    try {
      ok = await fn();
    } catch (err) {
      console.error(`[test] ${name}: ${(err as Error).message}`);
    }
    results.push({ name, ok, seconds: (Date.now() - s) / 1000, ...(counts?.() ?? {}) });
  };

  try {
    await step('migrate + seed test database', async () => {
      await migrate(stack.testDatabaseUrl);
      // The browser tests sign in with the same demo account that `npm run demo` prints.
      await seed(stack.testDatabaseUrl);
      return true;
    });
    // Formatting is checked first: it is the cheapest stage and a failure names the files.
    if (wants('lint')) {
      await step(
        'prettier --check',
        async () => (await run(bin('prettier'), ['--check', '--log-level', 'warn', '.'], { env: testEnv })) === 0,
      );
      // Typed lint (eslint.config.mjs): errors fail the stage, the adoption backlog prints as warnings.
      // The cache under .state/ makes a rerun check only changed files.
      await step(
        'eslint',
        async () =>
          (await run(bin('eslint'), ['--cache', '--cache-location', join(stateDir, 'eslintcache'), '.'], {
            env: testEnv,
          })) === 0,
      );
    }
    if (wants('typecheck'))
      await step('typecheck', async () => (await run(bin('tsc'), ['--noEmit'], { env: testEnv })) === 0);
    if (wants('vitest')) {
      const file = join(out, 'vitest.json');
      await step(
        'vitest (unit + integration)',
        async () =>
          (await run(
            bin('vitest'),
            // The compose test needs the Next build: it runs in its own stage after it.
            [
              'run',
              '--exclude',
              'tests/deploy/**',
              '--reporter=default',
              '--reporter=json',
              `--outputFile.json=${file}`,
            ],
            { env: { ...testEnv, NODE_ENV: 'test' } },
          )) === 0,
        () => vitestCounts(file),
      );
    }
    if (wants('e2e')) {
      await step('next build', async () => (await buildWeb(), true));
      const file = join(out, 'playwright.json');
      await step(
        'playwright (Chromium)',
        async () =>
          (await run(bin('playwright'), ['test', '--reporter=list,json'], {
            env: { ...testEnv, PLAYWRIGHT_JSON_OUTPUT_NAME: file },
          })) === 0,
        () => playwrightCounts(file),
      );
    }
    // deploy/compose.yaml end to end: its own dockerd and images made from this checkout's
    // production node_modules and the Next build above (tests/deploy/compose.test.ts).
    if (wantsCompose) {
      if (!wants('e2e')) await step('next build', async () => (await buildWeb(), true));
      const file = join(out, 'compose.json');
      await step(
        'compose (docker)',
        async () =>
          (await run(
            bin('vitest'),
            ['run', 'tests/deploy', '--reporter=default', '--reporter=json', `--outputFile.json=${file}`],
            { env: { ...testEnv, NODE_ENV: 'test' } },
          )) === 0,
        () => vitestCounts(file),
      );
    }
  } finally {
    if (!process.env.KEEP_STACK) await stackDown(stack.started);
  }

  const passed = results.reduce((n, r) => n + (r.passed ?? 0), 0);
  const failedTests = results.reduce((n, r) => n + (r.failed ?? 0), 0);
  const failedStages = results.filter((r) => !r.ok);
  console.log('\n[test] summary');
  for (const r of results) {
    const counts =
      r.passed !== undefined
        ? `  ${r.passed} passed, ${r.failed ?? 0} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`
        : '';
    console.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(28)} ${r.seconds.toFixed(1).padStart(6)} s${counts}`);
  }
  console.log(`  total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  // A failed stage without test counts (typecheck, build) still counts as a failure.
  const failed = failedTests + failedStages.filter((r) => r.failed === undefined || r.failed === 0).length;
  console.log(`\nDriveLab: ${passed} passed, ${failed} failed`);
  return failed === 0 && failedStages.length === 0 ? 0 : 1;
}

export { root };
