import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { capture, commandExists, isAlive, root, sleep } from './proc';

/**
 * Our own Docker daemon: bridge networking and iptables off (bridge networks use private address
 * ranges that these machines do not allow), containers on host networking only, with its own
 * data-root, exec-root, pidfile and socket under .state/docker so a system dockerd is never touched.
 */
export const dockerDir = join(root, '.state', 'docker');
const pidFile = join(dockerDir, 'dockerd.pid');
const logFile = join(dockerDir, 'dockerd.log');

// A unix socket path is limited to 107 bytes; a deep checkout gets one under the temp dir instead.
const socketPath = (() => {
  const p = join(dockerDir, 'docker.sock');
  return p.length < 100
    ? p
    : join(tmpdir(), `drivelab-docker-${createHash('sha256').update(root).digest('hex').slice(0, 12)}.sock`);
})();

export const dockerHost = `unix://${socketPath}`;
/** The environment every docker / docker-compose call of ours runs with. */
export const dockerEnv = (extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  DOCKER_HOST: dockerHost,
  // The legacy builder: no buildx plugin is needed, and it supports --network host.
  DOCKER_BUILDKIT: '0',
  COMPOSE_DOCKER_CLI_BUILD: '0',
  ...extra,
});

const say = (msg: string) => console.log(`[docker] ${msg}`);

export function docker(args: string[], extraEnv: Record<string, string | undefined> = {}) {
  return capture('docker', args, { env: dockerEnv(extraEnv) });
}

async function answers(): Promise<boolean> {
  if (!existsSync(socketPath)) return false;
  const r = await docker(['version', '--format', '{{.Server.Version}}']);
  return r.code === 0;
}

function ourPid(): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

const tail = (file: string, chars = 2000) => (existsSync(file) ? readFileSync(file, 'utf8').slice(-chars) : '');

/** Starts our dockerd unless it already answers; `started` says whether this call started it. */
export async function startDockerd(): Promise<{ started: boolean }> {
  if (await answers()) return { started: false };
  for (const cmd of ['dockerd', 'docker', 'docker-compose'])
    if (!commandExists(cmd))
      throw new Error(`${cmd} is missing: install the Debian packages docker.io and docker-compose.`);
  if (process.getuid?.() !== 0)
    throw new Error('dockerd must run as root here (no rootless Docker on these machines).');
  mkdirSync(dockerDir, { recursive: true });
  const stale = ourPid();
  if (stale) throw new Error(`our dockerd (pid ${stale}) runs but does not answer on ${socketPath}; see ${logFile}`);
  rmSync(socketPath, { force: true });
  const out = openSync(logFile, 'w');
  const child = spawn(
    'dockerd',
    [
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      '--ip-masq=false',
      '--userland-proxy=false',
      `--data-root=${join(dockerDir, 'data')}`,
      `--exec-root=${join(dockerDir, 'exec')}`,
      `--pidfile=${pidFile}`,
      `--host=${dockerHost}`,
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  child.unref();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exitCode !== undefined)
      throw new Error(`dockerd exited (code ${exitCode}) before it answered:\n${tail(logFile)}`);
    if (await answers()) {
      if (child.pid) writeFileSync(pidFile, String(child.pid));
      say(`dockerd started (pid ${child.pid}), socket ${socketPath}, logs in .state/docker/dockerd.log`);
      return { started: true };
    }
    await sleep(500);
  }
  if (child.pid) process.kill(child.pid, 'SIGTERM');
  throw new Error(`dockerd did not answer within 60 s:\n${tail(logFile)}`);
}

/** Stops the dockerd that startDockerd started (and only that one), waiting for it to exit. */
export async function stopDockerd(): Promise<void> {
  const pid = ourPid();
  if (!pid) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 120 && isAlive(pid); i++) await sleep(250);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(pidFile, { force: true });
  say(`dockerd (pid ${pid}) stopped`);
}
