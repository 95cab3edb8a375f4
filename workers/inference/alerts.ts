import { createHash } from 'node:crypto';

/**
 * Alert debouncing, per (run, vehicle, model, alias): an alert fires when K of the last N windows
 * crossed the threshold, and then not again in the same episode. The episode ends only after N
 * windows in a row stay below the threshold, so a score hovering at the threshold (K−1, K, K−1 …)
 * raises one alert, not one per flip.
 *
 * A re-emitted window (a late update, same start) replaces its earlier verdict instead of counting
 * twice; a window older than the newest seen is ignored for alerting.
 */
export interface AlertPolicy {
  k: number;
  n: number;
}

interface Track {
  flags: Uint8Array;
  /** Next slot in the ring. */
  pos: number;
  filled: number;
  count: number;
  lastStart: number;
  inEpisode: boolean;
  lastSeen: number;
}

function validatePolicy(p: AlertPolicy): AlertPolicy {
  if (!Number.isInteger(p.k) || !Number.isInteger(p.n) || p.k < 1 || p.n < 1 || p.k > p.n)
    throw new Error(`alert policy needs 1 ≤ K ≤ N (got K=${p.k}, N=${p.n})`);
  return p;
}

export class AlertDebouncer {
  // run → vehicle → scope (model and alias): nested maps, so the hot path builds no key strings.
  private tracks = new Map<string, Map<string, Map<string, Track>>>();
  private count = 0;

  constructor(readonly policy: AlertPolicy) {
    validatePolicy(policy);
  }

  get size(): number {
    return this.count;
  }

  private track(runId: string, vehicleId: string, scope: string, now: number): Track {
    let vehicles = this.tracks.get(runId);
    if (!vehicles) this.tracks.set(runId, (vehicles = new Map<string, Map<string, Track>>()));
    let scopes = vehicles.get(vehicleId);
    if (!scopes) vehicles.set(vehicleId, (scopes = new Map<string, Track>()));
    let t = scopes.get(scope);
    if (!t) {
      t = {
        flags: new Uint8Array(this.policy.n),
        pos: 0,
        filled: 0,
        count: 0,
        lastStart: -Infinity,
        inEpisode: false,
        lastSeen: now,
      };
      scopes.set(scope, t);
      this.count++;
    }
    return t;
  }

  /** Whether this copy has seen any window of the vehicle in the run (under any scope). */
  knows(runId: string, vehicleId: string): boolean {
    return this.tracks.get(runId)?.has(vehicleId) ?? false;
  }

  /**
   * Continues an episode another copy opened: its alert (at windowStart) is already recorded.
   * Alert state lives in the copy that scores a vehicle's partition, so when a rebalance or a
   * crash moves the partition, the new owner would start from nothing and raise the same episode
   * again (chaos test, issue 18). The new owner does not know the old owner's recent verdicts, so
   * the episode is taken as still open and ends after N windows in a row below the threshold,
   * as any episode does. Windows before the alert's are ignored. No-op once the track exists.
   */
  resume(runId: string, vehicleId: string, scope: string, windowStart: number, now = Date.now()): void {
    if (this.tracks.get(runId)?.get(vehicleId)?.has(scope)) return;
    const t = this.track(runId, vehicleId, scope, now);
    t.inEpisode = true;
    t.lastStart = windowStart;
  }

  /** Records one window's verdict for (run, vehicle, scope); true when it starts an alert episode. */
  observe(
    runId: string,
    vehicleId: string,
    scope: string,
    windowStart: number,
    crossed: boolean,
    now = Date.now(),
  ): boolean {
    const t = this.track(runId, vehicleId, scope, now);
    t.lastSeen = now;
    const flag = crossed ? 1 : 0;
    if (windowStart < t.lastStart) return false;
    if (windowStart === t.lastStart && t.filled > 0) {
      const last = (t.pos + this.policy.n - 1) % this.policy.n;
      t.count += flag - t.flags[last]!;
      t.flags[last] = flag;
    } else {
      if (t.filled === this.policy.n) t.count -= t.flags[t.pos]!;
      else t.filled++;
      t.flags[t.pos] = flag;
      t.count += flag;
      t.pos = (t.pos + 1) % this.policy.n;
      t.lastStart = windowStart;
    }
    if (t.inEpisode) {
      if (t.count === 0 && t.filled === this.policy.n) t.inEpisode = false;
      return false;
    }
    if (t.count >= this.policy.k) {
      t.inEpisode = true;
      return true;
    }
    return false;
  }

  /** Forgets vehicles not seen for `idleMs` (finished runs). */
  sweep(idleMs: number, now = Date.now()): number {
    let removed = 0;
    for (const [runId, vehicles] of this.tracks) {
      for (const [vehicleId, scopes] of vehicles) {
        for (const [scope, t] of scopes) {
          if (now - t.lastSeen > idleMs) {
            scopes.delete(scope);
            removed++;
          }
        }
        if (scopes.size === 0) vehicles.delete(vehicleId);
      }
      if (vehicles.size === 0) this.tracks.delete(runId);
    }
    this.count -= removed;
    return removed;
  }
}

/** The same alert gets the same id on a replay, so the Alert row and consumers can dedupe. */
export function alertId(runId: string, vehicleId: string, modelVersionId: string, windowStart: number): string {
  return `alr_${createHash('sha1').update(`${runId}\u0000${vehicleId}\u0000${modelVersionId}\u0000${windowStart}`).digest('hex').slice(0, 24)}`;
}
