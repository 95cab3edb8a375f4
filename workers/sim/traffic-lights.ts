import type { RoadMap } from '~/server/maps/road-network';

/**
 * Fixed-time signal plan, the same at every junction but shifted by the junction's offset.
 * Groups 0, 1, … (two on the built-in maps, as many as an OpenDRIVE junction has controllers)
 * are green in turn, each followed by amber and an all-red clearance, so a vehicle that entered
 * on amber leaves the box before cross traffic moves.
 */

export type LightState = 'green' | 'amber' | 'red';

export const SIGNAL_PLAN = { green: 24, amber: 3.5, allRed: 2.5 } as const;
const HALF = SIGNAL_PLAN.green + SIGNAL_PLAN.amber + SIGNAL_PLAN.allRed;
export const SIGNAL_CYCLE = 2 * HALF;

/** State of a signal group at junction-local cycle time (cycle: groups × HALF). */
function groupState(group: number, cycleT: number, groups = 2): { state: LightState; sincePhaseStart: number } {
  const cycle = groups * HALF;
  const local = (cycleT - group * HALF + cycle) % cycle;
  if (local < SIGNAL_PLAN.green) return { state: 'green', sincePhaseStart: local };
  if (local < SIGNAL_PLAN.green + SIGNAL_PLAN.amber)
    return { state: 'amber', sincePhaseStart: local - SIGNAL_PLAN.green };
  return { state: 'red', sincePhaseStart: local - SIGNAL_PLAN.green - SIGNAL_PLAN.amber };
}

export class SignalController {
  private offsets = new Map<string, number>();
  private groups = new Map<string, number>();

  constructor(private readonly map: RoadMap) {
    for (const j of map.junctions) {
      this.offsets.set(j.id, j.offsetS);
      this.groups.set(j.id, j.groups ?? 2);
    }
  }

  private cycleTime(junctionId: string, t: number): number {
    return (t + (this.offsets.get(junctionId) ?? 0)) % ((this.groups.get(junctionId) ?? 2) * HALF);
  }

  state(signalId: string, t: number): LightState {
    const s = this.map.signals.get(signalId);
    if (!s) return 'green';
    return groupState(s.group, this.cycleTime(s.junctionId, t), this.groups.get(s.junctionId)).state;
  }

  /** Seconds since this signal turned red (0 when it is not red). */
  redFor(signalId: string, t: number): number {
    const s = this.map.signals.get(signalId);
    if (!s) return 0;
    const g = groupState(s.group, this.cycleTime(s.junctionId, t), this.groups.get(s.junctionId));
    return g.state === 'red' ? g.sincePhaseStart : 0;
  }

  /**
   * Whether pedestrians may start crossing: the traffic they cross has had red for a moment
   * and enough of the walk phase remains to reach the other side.
   */
  pedestriansMayStart(junctionId: string, crossesGroup: 0 | 1, t: number): boolean {
    const other: 0 | 1 = crossesGroup === 0 ? 1 : 0;
    const g = groupState(other, this.cycleTime(junctionId, t));
    return g.state === 'green' && g.sincePhaseStart > 1 && g.sincePhaseStart < 10;
  }
}
