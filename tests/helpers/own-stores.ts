import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { commandExists } from '~/scripts/lib/proc';

/**
 * Private Postgres and Redis servers for tests that restart or flush them (the chaos tests): the
 * shared ones on 5432 and 6379 are never touched. Each lives in its own temporary directory, on
 * a free port, and is started from the machine's own binaries; a missing binary is an error that
 * names the package to install, never a skipped test.
 */

/** A port nothing listens on right now (the kernel's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface OwnServer {
  dir: string;
  url: string;
  start(): Promise<void>;
  /** Stops the server with the signal and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  destroy(): Promise<void>;
  log(): string;
}

async function until(what: string, ok: () => Promise<boolean>, child: ChildProcess, log: () => string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited during start-up:\n${log()}`);
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not answer within 60 s:\n${log()}`);
}

function processControl(spawnIt: () => ChildProcess) {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  return {
    spawn(): ChildProcess {
      const c = spawnIt();
      child = c;
      exited = new Promise((resolve) => c.once('exit', () => resolve()));
      return c;
    },
    async stop(signal: NodeJS.Signals) {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child?.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The newest Debian Postgres server binaries (/usr/lib/postgresql/<major>/bin), or PG_BIN. */
export function postgresBinDir(): string {
  const candidates = process.env.PG_BIN
    ? [process.env.PG_BIN]
    : existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .filter((v) => /^\d+$/.test(v))
          .sort((a, b) => Number(b) - Number(a))
          .map((v) => join('/usr/lib/postgresql', v, 'bin'))
      : [];
  const dir = candidates.find((d) => existsSync(join(d, 'postgres')) && existsSync(join(d, 'initdb')));
  if (!dir)
    throw new Error(
      'These tests start their own Postgres server and need its binaries (initdb, postgres): ' +
        'install the Debian package postgresql (apt-get install -y postgresql), or set PG_BIN to their folder.',
    );
  return dir;
}

/** Postgres refuses to run as root: as root, the server runs as the `postgres` system user. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const u = id('-u');
  const g = id('-g');
  if (u.status !== 0 || g.status !== 0)
    throw new Error('Running as root, the own Postgres needs the `postgres` system user (Debian package postgresql).');
  return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
}

export async function ownPostgres(database = 'drivelab'): Promise<OwnServer> {
  const bin = postgresBinDir();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `drivelab-pg-${port}-`));
  const data = join(dir, 'data');
  const as = postgresUser();
  if (as) {
    chmodSync(dir, 0o755);
    chownSync(dir, as.uid, as.gid);
  }
  const init = spawnSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'],
    { encoding: 'utf8', ...(as ?? {}) },
  );
  if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
  const logFile = join(dir, 'postgres.log');
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-3000) : '');
  const admin = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  const answers = async () => {
    const c = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 1000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await c.end().catch(() => undefined);
    }
  };
  const proc = processControl(() =>
    spawn(
      join(bin, 'postgres'),
      [
        '-D',
        data,
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'listen_addresses=127.0.0.1',
        // A throw-away server: durability settings off, so the 2-core test machine spends no time on fsync.
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        `log_directory=${dir}`,
        '-c',
        'logging_collector=off',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], ...(as ?? {}) },
    ),
  );
  let logTail = '';
  const self: OwnServer = {
    dir,
    url: `postgresql://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      const c = proc.spawn();
      c.stderr?.on('data', (b: Buffer) => (logTail = (logTail + b.toString()).slice(-3000)));
      await until('own Postgres', answers, c, () => logTail || log());
    },
    stop: (signal = 'SIGINT') => proc.stop(signal),
    async destroy() {
      await proc.stop('SIGQUIT');
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => logTail || log(),
  };
  await self.start();
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE "${database}"`);
  await c.end();
  return self;
}

export async function ownRedis(): Promise<OwnServer> {
  if (!commandExists('redis-server'))
    throw new Error(
      'These tests start their own Redis and need redis-server: install the Debian package redis-server.',
    );
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `drivelab-redis-${port}-`));
  mkdirSync(dir, { recursive: true });
  let logTail = '';
  const answers = () =>
    new Promise<boolean>((resolve) => {
      const r = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8', timeout: 2000 });
      resolve(r.stdout.trim() === 'PONG');
    });
  const proc = processControl(() =>
    spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ),
  );
  const self: OwnServer = {
    dir,
    url: `redis://127.0.0.1:${port}/0`,
    async start() {
      const c = proc.spawn();
      const keep = (b: Buffer) => (logTail = (logTail + b.toString()).slice(-3000));
      c.stdout?.on('data', keep);
      c.stderr?.on('data', keep);
      await until('own Redis', answers, c, () => logTail);
    },
    stop: (signal = 'SIGTERM') => proc.stop(signal),
    async destroy() {
      await proc.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => logTail,
  };
  await self.start();
  return self;
}
