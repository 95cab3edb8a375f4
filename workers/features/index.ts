/** The pure streaming core of the features worker: what main.ts and the tests import. */
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
