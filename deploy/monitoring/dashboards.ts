import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DashboardBuilder, DatasourceVariableBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { stringify } from 'yaml';

/**
 * DriveLab's Grafana dashboards, generated with the Grafana Foundation SDK. `npx tsx
 * deploy/monitoring/dashboards.ts` writes the JSON files, the file-provisioning YAML and a ConfigMap
 * for the Grafana sidecar (label grafana_dashboard=1); tests/unit/deploy/monitoring.test.ts checks
 * that the committed files are what this generates and parses every query.
 */
const ds = { type: 'prometheus', uid: '${datasource}' };

interface Query {
  expr: string;
  legend: string;
}

function panel(title: string, unit: string, queries: Query[], description?: string): PanelBuilder {
  const p = new PanelBuilder().title(title).unit(unit).datasource(ds).height(8).span(12).min(0);
  if (description) p.description(description);
  queries.forEach((q, i) =>
    p.withTarget(
      new DataqueryBuilder()
        .expr(q.expr)
        .legendFormat(q.legend)
        .refId(String.fromCharCode(65 + i)),
    ),
  );
  return p;
}

function dashboard(uid: string, title: string, rows: [string, PanelBuilder[]][]): Dashboard {
  const b = new DashboardBuilder(title)
    .uid(uid)
    .tags(['drivelab', 'generated'])
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'));
  for (const [row, panels] of rows) {
    b.withRow(new RowBuilder(row));
    for (const p of panels) b.withPanel(p);
  }
  return b.build();
}

const R = '$__rate_interval';

export function dashboards(): Record<string, Dashboard> {
  return {
    'drivelab-fleet-pipeline': dashboard('drivelab-fleet-pipeline', 'DriveLab / Fleet pipeline', [
      [
        'Throughput',
        [
          panel('Frames in', 'reqps', [
            { expr: `sum(rate(drivelab_features_frames_in_total[${R}]))`, legend: 'frames/s' },
          ]),
          panel('Windows out', 'reqps', [
            { expr: `sum(rate(drivelab_features_windows_out_total[${R}]))`, legend: 'windows/s' },
          ]),
        ],
      ],
      [
        'Lag and dead letters',
        [
          panel(
            'Consumer lag per group',
            'short',
            [{ expr: 'max by (group, topic) (drivelab_kafka_consumer_group_lag)', legend: '{{group}} on {{topic}}' }],
            'Messages not yet committed; KEDA scales the worker on the same number.',
          ),
          panel('Dead-letter queue', 'reqps', [
            {
              expr: `sum by (service, topic, reason) (rate(drivelab_kafka_rejected_total[${R}]))`,
              legend: '{{service}} {{topic}} {{reason}}',
            },
          ]),
        ],
      ],
      [
        'Window latency',
        [
          panel('Frame to window emit', 's', [
            {
              expr: `histogram_quantile(0.5, sum by (le) (rate(drivelab_features_frame_to_emit_seconds_bucket[${R}])))`,
              legend: 'p50',
            },
            {
              expr: `histogram_quantile(0.99, sum by (le) (rate(drivelab_features_frame_to_emit_seconds_bucket[${R}])))`,
              legend: 'p99',
            },
          ]),
          panel('Sink write', 's', [
            {
              expr: `histogram_quantile(0.99, sum by (le) (rate(drivelab_features_sink_seconds_bucket[${R}])))`,
              legend: 'p99',
            },
          ]),
        ],
      ],
    ]),
    'drivelab-serving': dashboard('drivelab-serving', 'DriveLab / Serving', [
      [
        'Requests',
        [
          panel('Predictions per variant', 'reqps', [
            {
              expr: `sum by (model, version) (rate(drivelab_inference_predictions_total[${R}]))`,
              legend: '{{model}} v{{version}}',
            },
          ]),
          panel('Errors per variant', 'reqps', [
            {
              expr: `sum by (model, version) (rate(drivelab_inference_errors_total[${R}]))`,
              legend: '{{model}} v{{version}}',
            },
          ]),
        ],
      ],
      [
        'Latency',
        [
          panel('Predict latency p50 / p99', 's', [
            {
              expr: `histogram_quantile(0.5, sum by (le, model, version) (rate(drivelab_inference_request_seconds_bucket[${R}])))`,
              legend: 'p50 {{model}} v{{version}}',
            },
            {
              expr: `histogram_quantile(0.99, sum by (le, model, version) (rate(drivelab_inference_request_seconds_bucket[${R}])))`,
              legend: 'p99 {{model}} v{{version}}',
            },
          ]),
          panel('Micro-batch queue wait p99', 's', [
            {
              expr: `histogram_quantile(0.99, sum by (le, model) (rate(drivelab_inference_queue_seconds_bucket[${R}])))`,
              legend: '{{model}}',
            },
          ]),
        ],
      ],
    ]),
    'drivelab-training': dashboard('drivelab-training', 'DriveLab / Training', [
      [
        'Jobs',
        [
          panel(
            'Training progress messages',
            'reqps',
            [{ expr: `sum(rate(drivelab_kafka_messages_out_total{topic="dl.training"}[${R}]))`, legend: 'messages/s' }],
            'Epoch and state updates the trainers publish; zero while no job runs.',
          ),
          panel('Trainer CPU', 'percentunit', [
            {
              expr: `sum by (instance) (rate(drivelab_process_cpu_seconds_total{service="trainer"}[${R}]))`,
              legend: '{{instance}}',
            },
          ]),
          panel('Trainer memory', 'bytes', [
            {
              expr: 'sum by (instance) (drivelab_process_resident_memory_bytes{service="trainer"})',
              legend: '{{instance}}',
            },
          ]),
        ],
      ],
    ]),
    'drivelab-platform': dashboard('drivelab-platform', 'DriveLab / Platform', [
      [
        'HTTP',
        [
          panel('Requests by route and status', 'reqps', [
            {
              expr: `sum by (route, status) (rate(drivelab_http_request_seconds_count[${R}]))`,
              legend: '{{route}} {{status}}',
            },
          ]),
          panel('HTTP latency p99', 's', [
            {
              expr: `histogram_quantile(0.99, sum by (le, route) (rate(drivelab_http_request_seconds_bucket[${R}])))`,
              legend: '{{route}}',
            },
          ]),
        ],
      ],
      [
        'Node.js',
        [
          panel('Event-loop lag p99', 's', [
            {
              expr: 'max by (service, instance) (drivelab_nodejs_eventloop_lag_p99_seconds)',
              legend: '{{service}} {{instance}}',
            },
          ]),
          panel('Resident memory', 'bytes', [
            { expr: 'sum by (service) (drivelab_process_resident_memory_bytes)', legend: '{{service}}' },
          ]),
          panel('Heap used', 'bytes', [
            { expr: 'sum by (service) (drivelab_nodejs_heap_size_used_bytes)', legend: '{{service}}' },
          ]),
          panel('Processes up', 'short', [{ expr: 'sum by (job) (up{job=~"drivelab-.*"})', legend: '{{job}}' }]),
        ],
      ],
    ]),
  };
}

/** Every file this generator owns, path relative to deploy/monitoring → content. */
export function generatedFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const all = dashboards();
  for (const [name, d] of Object.entries(all))
    files[`grafana/dashboards/${name}.json`] = JSON.stringify(d, null, 2) + '\n';
  files['grafana/provisioning/dashboards.yaml'] =
    '# Grafana file provisioning: mount grafana/dashboards at /var/lib/grafana/dashboards/drivelab.\n' +
    stringify({
      apiVersion: 1,
      providers: [
        {
          name: 'drivelab',
          folder: 'DriveLab',
          type: 'file',
          disableDeletion: true,
          allowUiUpdates: false,
          options: { path: '/var/lib/grafana/dashboards/drivelab', foldersFromFilesStructure: false },
        },
      ],
    });
  files['grafana/provisioning/datasources.yaml'] = stringify({
    apiVersion: 1,
    datasources: [
      { name: 'Prometheus', type: 'prometheus', access: 'proxy', url: 'http://127.0.0.1:9090', isDefault: true },
    ],
  });
  files['grafana/dashboards-configmap.yaml'] =
    '# For the Grafana sidecar (kube-prometheus-stack): it loads ConfigMaps labelled grafana_dashboard=1.\n' +
    stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'drivelab-dashboards',
        labels: { grafana_dashboard: '1' },
        annotations: { grafana_folder: 'DriveLab' },
      },
      data: Object.fromEntries(Object.entries(all).map(([name, d]) => [`${name}.json`, JSON.stringify(d)])),
    });
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const [path, content] of Object.entries(generatedFiles())) {
    mkdirSync(dirname(join(here, path)), { recursive: true });
    writeFileSync(join(here, path), content);
  }
  console.log('wrote Grafana dashboards, provisioning and ConfigMap under deploy/monitoring/grafana');
}
