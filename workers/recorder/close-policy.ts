/**
 * When a run's recording is closed. run_finished arrives on dl.events while the run's last frames
 * may still be in flight on other dl.telemetry partitions, so the file stays open until no frame
 * has arrived for `graceMs` after run_finished (bounded by `maxGraceMs`). A run whose
 * run_finished never comes (simulator crash, vehicle offline) is closed after `idleMs` without input.
 */
export interface ClosePolicy {
  graceMs: number;
  maxGraceMs: number;
  idleMs: number;
}

export interface RecordingTimes {
  /** Wall time of the last message written. */
  lastMessageAt: number;
  /** Wall time run_finished was read, or null. */
  finishedAt: number | null;
}

export type CloseDecision = 'keep' | 'finished' | 'idle';

export function closeDecision(rec: RecordingTimes, now: number, policy: ClosePolicy): CloseDecision {
  if (rec.finishedAt !== null) {
    const quietSince = Math.max(rec.finishedAt, rec.lastMessageAt);
    if (now - quietSince >= policy.graceMs || now - rec.finishedAt >= policy.maxGraceMs) return 'finished';
  }
  if (now - rec.lastMessageAt >= policy.idleMs) return 'idle';
  return 'keep';
}
