/**
 * The pure streaming core of the features worker, for the benches, the e2e fixtures and the tests.
 * The process itself starts from main.ts, which wires features-worker.ts and does not use this file.
 */
export { createWindowOperator } from './operator';
export type {
  CommittableOffset,
  FramePosition,
  OperatorOutput,
  OperatorStats,
  RejectedFrame,
  RejectReason,
  WindowOperator,
} from './operator';
export { DEFAULT_WINDOW_CONFIG, resolveWindowConfig } from './config';
export type { ResolvedWindowConfig, WindowOperatorConfig } from './config';
export { decodeCommitMetadata, encodeCommitMetadata } from './commit-metadata';
export type { RunResumePoint } from './commit-metadata';
export { featureRecord, featureValues, MOVING_SPEED, STUCK_MIN_READINGS } from './feature-values';
export { partialOf, STUCK_CHANNELS, WindowPartial } from './partial';
export { windowIndex } from './window-index';
