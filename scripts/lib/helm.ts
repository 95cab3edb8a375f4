import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture, commandExists, root } from './proc';

/**
 * Helm without a helm binary or a cluster: helm-java (Helm's Go code behind JNA) from Maven
 * Central, driven by deploy/helm/tools/HelmTool.java in one JVM for many renders.
 */
export const chartDir = join(root, 'deploy/helm/drivelab');
const toolsDir = join(root, 'deploy/helm/tools');
const cacheDir = join(root, '.state/helm');

async function classpath(): Promise<string> {
  const pom = join(toolsDir, 'pom.xml');
  const hash = createHash('sha256').update(readFileSync(pom)).digest('hex').slice(0, 16);
  const file = join(cacheDir, `classpath-${hash}.txt`);
  if (existsSync(file)) {
    const cp = readFileSync(file, 'utf8').trim();
    if (cp.split(':').every((j) => existsSync(j))) return cp;
  }
  if (!commandExists('mvn') || !commandExists('java'))
    throw new Error(
      'Rendering the Helm chart needs Java 17+ and Maven (apt-get install -y openjdk-17-jdk-headless maven).',
    );
  mkdirSync(cacheDir, { recursive: true });
  const r = await capture('mvn', ['-q', '-B', '-f', pom, 'dependency:build-classpath', `-Dmdep.outputFile=${file}`]);
  if (r.code !== 0) throw new Error(`mvn could not resolve helm-java:\n${r.output.slice(-3000)}`);
  return readFileSync(file, 'utf8').trim();
}

async function helmTool(args: string[]): Promise<{ code: number; output: string }> {
  const cp = await classpath();
  return capture('java', ['-Xmx512m', '-cp', cp, join(toolsDir, 'HelmTool.java'), ...args]);
}

export type HelmJob = { lint: string } | { chart?: string; values?: Record<string, unknown> };
export type HelmResult = { yaml: string } | { error: string };

/**
 * `helm lint --strict` and `helm template` jobs, all in one JVM. A template result is the rendered
 * YAML or Helm's error (a `fail` or values.schema.json message); a lint result is its messages.
 */
export async function helm(
  jobs: HelmJob[],
  options: { release?: string; namespace?: string } = {},
): Promise<HelmResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'drivelab-helm-'));
  try {
    const args = jobs.map((j, i) => {
      if ('lint' in j) return `lint=${j.lint}`;
      if (!j.values) return `${j.chart ?? chartDir}=-`;
      const f = join(dir, `values-${i}.json`);
      // JSON is YAML: Helm reads it as a values file.
      writeFileSync(f, JSON.stringify(j.values));
      return `${j.chart ?? chartDir}=${f}`;
    });
    const out = join(dir, 'out');
    const r = await helmTool([options.release ?? 'dl', options.namespace ?? 'drivelab', out, ...args]);
    if (r.code !== 0) throw new Error(`HelmTool failed:\n${r.output.slice(-3000)}`);
    const names = new Set(readdirSync(out));
    return args.map((_, i) =>
      names.has(`${i}.yaml`)
        ? { yaml: readFileSync(join(out, `${i}.yaml`), 'utf8') }
        : { error: names.has(`${i}.error`) ? readFileSync(join(out, `${i}.error`), 'utf8') : 'no output' },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
