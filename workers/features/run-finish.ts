/**
 * run_finished arrives on dl.events, which is read beside dl.telemetry with no ordering between
 * the two: acting on it at once would close the run before its last frames were read, and those
 * frames would then be rejected as late. A finished run is flushed once its watermark has reached
 * the last sensor tick before the finish time, or once neither frames nor the event have been
 * seen for the grace period (a vehicle that went silent, or a run whose frames this copy does not
 * own).
 */
export class RunFinishTracker {
  private readonly pending = new Map<string, { t: number; seenAt: number }>();
  private readonly lastFrameAt = new Map<string, number>();

  constructor(private readonly graceMs: number) {}

  finished(runId: string, t: number, nowMs: number): void {
    this.pending.set(runId, { t, seenAt: nowMs });
  }

  /** Frames of a run were read now (called once per run per batch). */
  noteFrames(runId: string, nowMs: number): void {
    if (this.pending.has(runId)) this.lastFrameAt.set(runId, nowMs);
  }

  get size(): number {
    return this.pending.size;
  }

  /** The runs to flush now; they are forgotten. */
  due(
    watermarkOf: (runId: string) => number | null,
    rateOf: (runId: string) => number,
    outOfOrdernessS: number,
    nowMs: number,
  ): string[] {
    const out: string[] = [];
    for (const [runId, p] of this.pending) {
      const wm = watermarkOf(runId);
      // The last frame is one sensor period before the finish time; half a period of slack.
      const caughtUp = wm !== null && wm >= p.t - 1.5 / rateOf(runId) - outOfOrdernessS;
      const quietSince = Math.max(p.seenAt, this.lastFrameAt.get(runId) ?? -Infinity);
      if (caughtUp || nowMs - quietSince >= this.graceMs) {
        out.push(runId);
        this.pending.delete(runId);
        this.lastFrameAt.delete(runId);
      }
    }
    return out;
  }
}
