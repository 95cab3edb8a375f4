import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// The unhandled-rejection policy of the web process (issue 19): logged with its stack, counted
// in drivelab_unhandled_rejections_total, and the process keeps serving. Run in a child process:
// this runner's own handler (tests/setup/unhandled-rejections.ts) would fail the file instead.
function runFixture(): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/unhandled-rejection.ts'], {
      env: { ...process.env, LOG_LEVEL: 'warn', DRIVELAB_SERVICE: 'policy-fixture' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('unhandled promise rejections in the web process', () => {
  it('are logged with the error, counted in the metric, and the process keeps serving', async () => {
    const { code, out } = await runFixture();
    const logged = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map(
        (l) =>
          JSON.parse(l) as {
            msg?: string;
            level?: number;
            service?: string;
            err?: { message?: string; stack?: string };
          },
      )
      .find((l) => l.msg === 'unhandled promise rejection');
    expect(logged, out.slice(0, 2000)).toBeDefined();
    expect(logged!.level).toBe(50);
    expect(logged!.err?.message).toBe('nobody handles this (issue 19)');
    expect(logged!.err?.stack).toMatch(/unhandled-rejection\.ts/);
    expect(out).toMatch(/^COUNTER 1$/m);
    expect(out).toMatch(/^STILL SERVING$/m);
    expect(code).toBe(0);
  }, 60_000);
});
