import { Counter, Gauge, Histogram } from 'prom-client';
import { metrics } from '~/server/observability/metrics';

/**
 * The features worker's own metrics, on the process registry (server/observability/metrics.ts).
 * DLQ counts are drivelab_kafka_rejected_total{topic,reason}, shared with every other consumer.
 */
const registers = [metrics.registry];

export const featureMetrics = {
  framesIn: new Counter({
    name: 'drivelab_features_frames_in_total',
    help: 'Telemetry frames read by the features worker, valid or not',
    registers,
  }),
  windowsOut: new Counter({
    name: 'drivelab_features_windows_out_total',
    help: 'Windows emitted, by kind',
    labelNames: ['kind'] as const,
    registers,
  }),
  lateFrames: new Counter({
    name: 'drivelab_features_late_frames_total',
    help: 'Late frames: "updated" re-emitted a window within the allowed lateness, "rejected" went to dl.dlq',
    labelNames: ['outcome'] as const,
    registers,
  }),
  consumerLag: new Gauge({
    name: 'drivelab_features_consumer_lag',
    help: 'Messages between the last one processed and the partition end',
    labelNames: ['partition'] as const,
    registers,
  }),
  frameToEmitSeconds: new Histogram({
    name: 'drivelab_features_frame_to_emit_seconds',
    help: 'From the Kafka timestamp of the frame that closed a window to its emission',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  }),
  emitToProduceSeconds: new Histogram({
    name: 'drivelab_features_emit_to_produce_seconds',
    help: 'From a window closing to its dl.features message being acknowledged',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  }),
  sinkSeconds: new Histogram({
    name: 'drivelab_features_sink_seconds',
    help: 'Duration of one batched sink write',
    labelNames: ['sink'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  }),
  decodeThreads: new Gauge({
    name: 'drivelab_features_decode_threads',
    help: 'Decode threads alive; 0 means telemetry is parsed on the main thread',
    registers,
  }),
  commits: new Counter({
    name: 'drivelab_features_commits_total',
    help: 'Offset commits made after the sinks were flushed',
    registers,
  }),
};
