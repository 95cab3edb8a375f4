import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * tests/fixtures/echo-worker.ts as its own process, started like a deployed worker: metrics on a
 * free port, which it logs on start-up and `port` resolves to (or rejects after 30 s).
 */
export function startEchoWorker(env: Record<string, string>): {
  child: ChildProcess;
  port: Promise<number>;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/echo-worker.ts'], {
    env: { ...process.env, METRICS_PORT: '0', LOG_LEVEL: 'info', DRIVELAB_SERVICE: 'echo', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker did not report its metrics port')), 30_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /"metricsPort":(\d+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  return { child, port, exited };
}
