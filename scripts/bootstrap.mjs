#!/usr/bin/env node
// Entry of `npm run demo`, `npm test`, `npm run stack:up|stack:down`, `npm run bench`.
// Plain Node with no dependencies: it installs what a fresh clone lacks, then hands over to the
// TypeScript CLI (scripts/cli.ts) through tsx.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stateDir = join(root, '.state');
const marker = join(stateDir, 'deps.sha256');

function lockHash() {
  const h = createHash('sha256');
  for (const f of ['package.json', 'package-lock.json']) {
    if (existsSync(join(root, f))) h.update(readFileSync(join(root, f)));
  }
  return h.digest('hex');
}

function ensureDependencies() {
  const want = lockHash();
  const have = existsSync(marker) ? readFileSync(marker, 'utf8').trim() : '';
  const installed = existsSync(join(root, 'node_modules', '.bin', 'tsx'));
  if (installed && have === want) return;
  const fresh = !existsSync(join(root, 'node_modules'));
  // `npm install`, not `npm ci`: npm 11 refuses `ci` when optional platform packages of other
  // operating systems (next's @next/swc-darwin-*) are absent from the lock, which they are here.
  const args = ['install'];
  console.log(`[setup] npm ${args[0]} (dependencies ${fresh ? 'missing' : 'changed'})`);
  const started = Date.now();
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
    // onnxruntime-node must not download CUDA libraries at install time (see .npmrc).
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  });
  if (r.status !== 0) {
    console.error(`[setup] npm ${args[0]} failed (exit ${r.status}). Fix the error above and run again.`);
    process.exit(r.status ?? 1);
  }
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(marker, want + '\n');
  console.log(`[setup] dependencies ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const [major] = process.versions.node.split('.').map(Number);
if ((major ?? 0) < 20) {
  console.error(`DriveLab needs Node.js 20 or newer; this is ${process.version}.`);
  process.exit(1);
}

ensureDependencies();

const child = spawn(
  join(root, 'node_modules', '.bin', 'tsx'),
  [join(root, 'scripts', 'cli.ts'), ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
// Ctrl-C reaches the CLI through the process group; it decides how to stop, we wait for it.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.on(sig, () => child.kill(sig === 'SIGINT' ? 'SIGINT' : 'SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
