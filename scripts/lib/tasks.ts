import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { root, run } from './proc';

const bin = (name: string) => join(root, 'node_modules', '.bin', name);

export async function migrate(databaseUrl: string): Promise<void> {
  const code = await run(bin('prisma'), ['migrate', 'deploy'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (code !== 0) throw new Error(`prisma migrate deploy failed (exit ${code}) for ${redactUrl(databaseUrl)}`);
  console.log(`[db] migrations applied to ${redactUrl(databaseUrl)}`);
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid url)';
  }
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

const BUILD_INPUTS = ['app', 'components', 'server', 'public', 'next.config.js', 'package-lock.json', 'tsconfig.json'];

/** A production build is reused until one of its inputs changes. */
export function buildIsStale(): boolean {
  const buildId = join(root, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return true;
  const built = statSync(buildId).mtimeMs;
  return BUILD_INPUTS.some((p) => newestMtime(join(root, p)) > built);
}

export async function buildWeb(force = false): Promise<void> {
  if (!force && !buildIsStale()) {
    console.log('[build] production build is up to date');
    return;
  }
  console.log('[build] next build…');
  const t0 = Date.now();
  const code = await run(bin('next'), ['build'], { env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (code !== 0) throw new Error(`next build failed (exit ${code})`);
  console.log(`[build] done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** Workers the demo starts, each its own process with prefixed logs. */
export const DEMO_WORKERS = ['sim', 'features', 'recorder', 'trainer', 'inference'];

export function workerEntries(): { name: string; entry: string }[] {
  const dir = join(root, 'workers');
  return DEMO_WORKERS.filter((name) => existsSync(join(dir, name, 'main.ts'))).map((name) => ({
    name,
    entry: join(dir, name, 'main.ts'),
  }));
}

export const tsxBin = bin('tsx');
export { bin };
