import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

export const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  options: { timeoutMs: number; intervalMs?: number; onTick?: () => void },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    options.onTick?.();
    await sleep(options.intervalMs ?? 500);
  }
  throw new Error(
    `Timed out after ${options.timeoutMs / 1000} s waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`,
  );
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a command to completion with inherited output; resolves with its exit code. */
export function run(cmd: string, args: string[], options: SpawnOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', ...options });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Runs a command and captures stdout+stderr; for short tool invocations. */
export function capture(
  cmd: string,
  args: string[],
  options: SpawnOptions = {},
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

export function commandExists(cmd: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(`${dir}/${cmd}`));
}

const COLORS = [36, 35, 33, 32, 34, 91, 96, 95];

/** Formats one pino JSON line for a terminal; other lines pass through. */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const o = JSON.parse(line) as Record<string, unknown>;
    const level =
      typeof o.level === 'number'
        ? (({ 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' } as Record<number, string>)[
            o.level
          ] ?? String(o.level))
        : typeof o.level === 'string'
          ? o.level
          : '';
    const time = typeof o.time === 'number' ? new Date(o.time).toISOString().slice(11, 19) : '';
    const { msg, level: _l, time: _t, pid: _p, hostname: _h, service: _s, ...rest } = o;
    const extra = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
    return `${time} ${level.padEnd(5)} ${typeof msg === 'string' ? msg : msg === undefined ? '' : JSON.stringify(msg)}${extra}`;
  } catch {
    return line;
  }
}

/** Starts a long-running child whose output lines are prefixed with its name. */
export function startPrefixed(
  name: string,
  index: number,
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): ChildProcess {
  // Its own process group: a terminal's Ctrl-C reaches only the launcher, which then sends one
  // SIGTERM, so every process shuts down gracefully instead of taking a second signal as "now".
  const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const color = COLORS[index % COLORS.length];
  const prefix = process.stdout.isTTY ? `\x1b[${color}m[${name}]\x1b[0m ` : `[${name}] `;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(prefix + formatLogLine(line) + '\n'));
  }
  return child;
}

export async function stopChild(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}
