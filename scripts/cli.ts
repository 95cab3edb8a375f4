import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { root, run } from './lib/proc';
import { runDemo } from './lib/demo';
import { startDockerd, stopDockerd } from './lib/docker';
import { buildImages } from './lib/image';
import { stackDown, stackUp } from './lib/stack';
import { buildWeb, migrate, tsxBin } from './lib/tasks';
import { runTests } from './lib/test-runner';

const [command, ...args] = process.argv.slice(2);
const STANDALONE_BENCHES = new Set(['gpu']);

async function bench(name: string | undefined, rest: string[]): Promise<number> {
  const dir = join(root, 'scripts', 'bench');
  const available = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => f.replace(/\.ts$/, ''))
    : [];
  if (!name || !available.includes(name)) {
    console.error(`Usage: npm run bench -- <name>\nAvailable: ${available.join(', ') || '(none yet)'}`);
    return 2;
  }
  // Benchmarks of hardware alone need no services (and run where there are none, e.g. a GPU box).
  if (STANDALONE_BENCHES.has(name)) return run(tsxBin, [join(dir, `${name}.ts`), ...rest], { env: process.env });
  // Benchmarks run against the real services, like the demo: bring them up and migrate first.
  // Progress goes to stderr so that stdout is the benchmark's JSON alone.
  const log = console.log;
  console.log = console.error;
  const stack = await stackUp();
  await migrate(stack.databaseUrl);
  console.log = log;
  const code = await run(tsxBin, [join(dir, `${name}.ts`), ...rest], {
    env: { ...process.env, DATABASE_URL: stack.databaseUrl, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  });
  if (!process.env.KEEP_STACK) await stackDown(stack.started);
  return code;
}

/** The fuzz suites (issue 19) with 10× the cases of npm test; each prints cases per entry point. */
async function fuzz(rest: string[]): Promise<number> {
  const stack = await stackUp();
  await migrate(stack.databaseUrl);
  const files = [
    'tests/unit/platform/fuzz-contracts.test.ts',
    'tests/integration/fuzz-entry-points.test.ts',
    'tests/integration/live.test.ts',
    'tests/integration/inference.test.ts',
  ];
  const code = await run(join(root, 'node_modules', '.bin', 'vitest'), ['run', ...files, ...rest], {
    env: { ...process.env, FUZZ_FACTOR: process.env.FUZZ_FACTOR ?? '10', DATABASE_URL: stack.databaseUrl },
  });
  if (!process.env.KEEP_STACK) await stackDown(stack.started);
  return code;
}

/** `npm run image`: the app and stack images (deploy/image) in our own dockerd, stopped after. */
async function image(): Promise<number> {
  await buildWeb();
  const { started } = await startDockerd();
  try {
    await buildImages();
  } finally {
    if (started && !process.env.KEEP_DOCKER) await stopDockerd();
  }
  return 0;
}

async function main(): Promise<number> {
  switch (command) {
    case 'stack:up':
      await stackUp();
      return 0;
    case 'stack:down':
      await stackDown();
      return 0;
    case 'demo':
      await runDemo();
      return 0;
    case 'test':
      return runTests(args);
    case 'bench':
      return bench(args[0], args.slice(1));
    case 'fuzz':
      return fuzz(args);
    case 'image':
      return image();
    default:
      console.error(
        'Usage: cli.ts stack:up | stack:down | demo | test [typecheck|vitest|e2e|compose] | bench <name> | fuzz | image',
      );
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`\n✖ ${(err as Error).message}`);
    process.exit(1);
  },
);
