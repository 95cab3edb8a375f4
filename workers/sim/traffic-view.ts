import type { Crosswalk, Lane, RoadMap } from '~/server/maps/road-network';
import type { Pedestrian } from './pedestrians';
import type { SimVehicle } from './vehicle';

export interface Neighbour {
  v: SimVehicle;
  /** Bumper-to-bumper gap, m. */
  gap: number;
}

/**
 * What drivers see of each other: vehicles per lane sorted by arc length, pedestrians per
 * crosswalk, and which lanes cross each crosswalk. Rebuilt once per tick (and after a lane
 * change), so every driver decides on the same snapshot.
 */
export class TrafficView {
  private occupancy = new Map<Lane, SimVehicle[]>();
  private pedsByCrosswalk = new Map<Crosswalk, Pedestrian[]>();
  private readonly lanesCrossing = new Map<Crosswalk, { lane: Lane; s: number }[]>();

  constructor(
    map: RoadMap,
    private readonly vehicles: readonly SimVehicle[],
    private readonly pedestrians: readonly Pedestrian[],
  ) {
    for (const l of map.laneList) {
      for (const c of l.crossings)
        this.lanesCrossing.set(c.crosswalk, [...(this.lanesCrossing.get(c.crosswalk) ?? []), { lane: l, s: c.s }]);
    }
  }

  rebuild(): void {
    const occ = new Map<Lane, SimVehicle[]>();
    for (const v of this.vehicles) {
      const list = occ.get(v.lane);
      if (list) list.push(v);
      else occ.set(v.lane, [v]);
    }
    for (const list of occ.values()) if (list.length > 1) list.sort((a, b) => a.s - b.s || a.index - b.index);
    this.occupancy = occ;
    const peds = new Map<Crosswalk, Pedestrian[]>();
    for (const p of this.pedestrians) {
      if (p.phase !== 'crossing') continue;
      const list = peds.get(p.crosswalk);
      if (list) list.push(p);
      else peds.set(p.crosswalk, [p]);
    }
    this.pedsByCrosswalk = peds;
  }

  /** Vehicles on a lane, by arc length (undefined: none). */
  on(lane: Lane): SimVehicle[] | undefined {
    return this.occupancy.get(lane);
  }

  pedestrianInConflict(cw: Crosswalk, u: number): boolean {
    const list = this.pedsByCrosswalk.get(cw);
    if (!list) return false;
    for (const p of list) {
      const rel = (u - p.u) * p.dir;
      // Near the lane, or walking towards it and about to arrive.
      if (Math.abs(u - p.u) < 2.5 || (rel > 0 && rel < 2.5 + p.speed * 3)) return true;
    }
    return false;
  }

  /** Nearest vehicle ahead on a lane (from s) or on its first successor; for MOBIL. */
  neighbourAhead(lane: Lane, s: number, self: SimVehicle): Neighbour | null {
    const here = this.occupancy.get(lane);
    if (here)
      for (const o of here)
        if (o !== self && o.s > s) return { v: o, gap: o.s - s - (o.params.length + self.params.length) / 2 };
    const next = lane.next[0];
    const there = next ? this.occupancy.get(next) : undefined;
    if (there && there[0] && there[0] !== self)
      return { v: there[0], gap: lane.length - s + there[0].s - (there[0].params.length + self.params.length) / 2 };
    return null;
  }

  neighbourBehind(lane: Lane, s: number, self: SimVehicle): Neighbour | null {
    const here = this.occupancy.get(lane);
    if (!here) return null;
    for (let i = here.length - 1; i >= 0; i--) {
      const o = here[i]!;
      if (o !== self && o.s < s) return { v: o, gap: s - o.s - (o.params.length + self.params.length) / 2 };
    }
    return null;
  }

  /** Seconds until the first vehicle reaches a crosswalk (pedestrians wait for a gap). */
  timeToArrival(cw: Crosswalk): number {
    let best = Infinity;
    for (const { lane, s } of this.lanesCrossing.get(cw) ?? []) {
      const occ = this.occupancy.get(lane);
      if (occ)
        for (const o of occ) if (o.s < s && s - o.s < 150) best = Math.min(best, (s - o.s) / Math.max(o.body.v, 0.5));
      for (const p of lane.prev) {
        const po = this.occupancy.get(p);
        if (po)
          for (const o of po)
            if (p.length - o.s + s < 150) best = Math.min(best, (p.length - o.s + s) / Math.max(o.body.v, 0.5));
      }
    }
    return best;
  }
}
