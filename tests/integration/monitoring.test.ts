import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { generatedFiles } from '~/deploy/monitoring/dashboards';
import { createProducer } from '~/server/kafka/client';
import { TOPICS } from '~/server/kafka/topics';
import { registerLagGauge } from '~/server/kafka/lag-metrics';
import { startOpsServer } from '~/server/observability/ops-http';
import { root } from '~/scripts/lib/proc';
import { isolatedTopics } from '../helpers/kafka';
// The registries of the processes: loading these modules registers what each process serves.
import '~/server/inference/metrics';
import '~/workers/features/worker-metrics';

/**
 * deploy/monitoring: promtool checks and unit tests of the alert rules, the generated Grafana
 * dashboards, every PromQL expression parsed, and every metric name they use checked against a
 * real Prometheus scraping this process's registry (the same modules the processes load).
 */
const PROM_PORT = 4490;
const monitoring = join(root, 'deploy/monitoring');
const alertsFile = join(root, 'deploy/helm/drivelab/files/alerts.yaml');
/** Series that come from outside DriveLab: Prometheus itself and kube-state-metrics. */
const EXTERNAL = [/^up$/, /^kube_horizontalpodautoscaler_/];

function promtool(args: string[]): { code: number; out: string } {
  const r = spawnSync('promtool', args, { cwd: root, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool is needed (Debian package prometheus): ${r.error.message}`);
  return { code: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

interface Rule {
  alert: string;
  expr: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
const rules = (): Rule[] =>
  (parseYaml(readFileSync(alertsFile, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

function dashboardExprs(): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  for (const [path, content] of Object.entries(generatedFiles())) {
    if (!path.endsWith('.json')) continue;
    const d = JSON.parse(content) as { panels: { title: string; targets?: { expr: string }[] }[] };
    for (const p of d.panels)
      for (const t of p.targets ?? []) out.push({ where: `${path} / ${p.title}`, expr: t.expr });
  }
  return out;
}

/** Parses PromQL (Grafana's $__rate_interval read as 5m); returns the errors and the metric names. */
function promql(expr: string): { errors: string[]; names: string[] } {
  const text = expr.replaceAll('$__rate_interval', '5m');
  const tree = parser.parse(text);
  const errors: string[] = [];
  const names: string[] = [];
  tree.iterate({
    enter: (n) => {
      if (n.type.isError)
        errors.push(`syntax error at ${n.from}: "${text.slice(Math.max(0, n.from - 10), n.to + 10)}"`);
      if (n.name === 'Identifier' && n.node.parent?.name === 'VectorSelector') names.push(text.slice(n.from, n.to));
    },
  });
  return { errors, names };
}

describe('deploy/monitoring', () => {
  it('promtool accepts the rules and the scrape config, and the rule unit tests pass', () => {
    const check = promtool(['check', 'rules', alertsFile]);
    expect(check.out).toContain('SUCCESS: 8 rules found');
    expect(check.code).toBe(0);
    const config = promtool(['check', 'config', join(monitoring, 'prometheus.yml')]);
    expect(config.code, config.out).toBe(0);
    const unit = promtool(['test', 'rules', join(monitoring, 'tests/alerts.test.yaml')]);
    expect(unit.code, unit.out).toBe(0);
    expect(unit.out).toContain('SUCCESS');
  });

  it('every alert has a severity, a summary, a description and a runbook link into the README', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const r of rules()) {
      expect(r.alert).toMatch(/^DriveLab[A-Z][A-Za-z0-9]+$/);
      expect(['warning', 'critical', 'info']).toContain(r.labels.severity);
      expect(r.annotations.summary, r.alert).toMatch(/\.$/);
      expect(r.annotations.description, r.alert).toBeTruthy();
      const anchor = `runbook-${r.alert.toLowerCase()}`;
      expect(r.annotations.runbook_url).toMatch(new RegExp(`README\\.md#${anchor}$`));
      expect(readme, `README section for ${r.alert}`).toContain(`<a id="${anchor}"></a>`);
    }
  });

  it('the committed dashboards, provisioning and ConfigMap are what the generator writes', () => {
    for (const [path, content] of Object.entries(generatedFiles()))
      expect(readFileSync(join(monitoring, path), 'utf8'), `${path}: run npx tsx deploy/monitoring/dashboards.ts`).toBe(
        content,
      );
    const cm = parseYaml(generatedFiles()['grafana/dashboards-configmap.yaml']!) as {
      metadata: { labels: Record<string, string> };
      data: Record<string, string>;
    };
    expect(cm.metadata.labels.grafana_dashboard).toBe('1');
    expect(Object.keys(cm.data).sort()).toEqual([
      'drivelab-fleet-pipeline.json',
      'drivelab-platform.json',
      'drivelab-serving.json',
      'drivelab-training.json',
    ]);
  });

  it('every PromQL expression parses (and the parser does reject a broken one)', () => {
    expect(promql('sum(rate(x[5m]) by').errors.length).toBeGreaterThan(0);
    const all = [...rules().map((r) => ({ where: r.alert, expr: r.expr })), ...dashboardExprs()];
    expect(all.length).toBeGreaterThan(25);
    for (const { where, expr } of all) expect(promql(expr).errors, `${where}: ${expr}`).toEqual([]);
  });

  describe('metric names against a real Prometheus', () => {
    let t: Awaited<ReturnType<typeof isolatedTopics>>;
    let ops: Awaited<ReturnType<typeof startOpsServer>>;
    let prom: ReturnType<typeof spawn> | undefined;
    let dir: string;

    beforeAll(async () => {
      t = await isolatedTopics('monitoring', 1);
      // Lag of a real group: 5 messages, the features group committed at 2.
      const producer = createProducer(t.kafka);
      await producer.connect();
      await producer.send({
        topic: t.name(TOPICS.telemetry),
        messages: Array.from({ length: 5 }, (_, i) => ({ key: 'k', value: String(i) })),
      });
      await producer.disconnect();
      const admin = t.kafka.admin();
      await admin.connect();
      await admin.setOffsets({
        groupId: `${t.prefix}drivelab-features`,
        topic: t.name(TOPICS.telemetry),
        partitions: [{ partition: 0, offset: '2' }],
      });
      await admin.disconnect();
      registerLagGauge(t.kafka, { prefix: t.prefix, maxAgeMs: 0 });
      ops = await startOpsServer({ port: 0 });

      dir = mkdtempSync(join(tmpdir(), 'drivelab-prom-'));
      writeFileSync(
        join(dir, 'prometheus.yml'),
        [
          'global: { scrape_interval: 1s }',
          'scrape_configs:',
          '  - job_name: drivelab-test',
          `    static_configs: [{ targets: ['127.0.0.1:${ops.port}'] }]`,
          '',
        ].join('\n'),
      );
      prom = spawn(
        'prometheus',
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${PROM_PORT}`,
        ],
        { stdio: 'ignore' },
      );
    }, 120_000);

    afterAll(async () => {
      prom?.kill('SIGTERM');
      await ops?.close();
      await t?.cleanup();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('every metric in the rules and dashboards is one the processes serve, and lag is measured', async () => {
      const api = `http://127.0.0.1:${PROM_PORT}/api/v1`;
      // Families (from # TYPE lines, also those without samples yet) and series names, once scraped.
      let families: Record<string, { type: string }[]> = {};
      let lag: number | undefined;
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        try {
          families = ((await (await fetch(`${api}/metadata`)).json()) as { data: typeof families }).data;
          const q = (await (
            await fetch(
              `${api}/query?query=${encodeURIComponent('drivelab_kafka_consumer_group_lag{group="drivelab-features"}')}`,
            )
          ).json()) as { data: { result: { value: [number, string] }[] } };
          lag = q.data.result[0] ? Number(q.data.result[0].value[1]) : undefined;
          if (Object.keys(families).length > 10 && lag !== undefined) break;
        } catch {
          // Prometheus still starting
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(lag).toBe(3);
      const known = (name: string) => {
        if (EXTERNAL.some((re) => re.test(name))) return true;
        if (families[name]) return true;
        const base = name.replace(/_(bucket|sum|count)$/, '');
        return families[base]?.some((f) => f.type === 'histogram' || f.type === 'summary') ?? false;
      };
      const all = [...rules().map((r) => ({ where: r.alert, expr: r.expr })), ...dashboardExprs()];
      const unknown = all.flatMap(({ where, expr }) =>
        promql(expr)
          .names.filter((n) => !known(n))
          .map((n) => `${where}: ${n}`),
      );
      expect(unknown).toEqual([]);
      // The check can fail: a misspelt name is not served.
      expect(known('drivelab_features_frames_total')).toBe(false);
    }, 90_000);
  });
});
