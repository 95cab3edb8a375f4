import type { Lane, RoadMap, Turn } from '~/server/maps/road-network';
import type { SimVehicle } from './vehicle';

/** The ego's wanted turns at junctions, in order (repeated); empty: straight on. */
export type TurnPlan = readonly Turn[];

// Declared beside the vehicle that carries it, so vehicle.ts need not import this module.
export type { Destination } from './vehicle';
import type { Destination } from './vehicle';

/**
 * Distances to a destination lane over the lane graph (Dijkstra backwards along `prev`), so a
 * vehicle on any lane can take the next lane on a shortest way there, even after a lane change
 * moved it off the way it had planned. Null when no lane leads there.
 */
export function destinationOf(map: RoadMap, laneId: string): Destination | null {
  const target = map.lanes.get(laneId);
  if (!target) return null;
  const goal = new Set<Lane>([target]);
  for (let l = target.left; l && !goal.has(l); l = l.left) goal.add(l);
  for (let l = target.right; l && !goal.has(l); l = l.right) goal.add(l);
  const dist = new Map<Lane, number>();
  const queue: [Lane, number][] = [...goal].map((l) => [l, 0]);
  // Maps have a few thousand lanes at most: a sorted array is a fast enough priority queue.
  while (queue.length) {
    queue.sort((a, b) => b[1] - a[1]);
    const [lane, d] = queue.pop()!;
    if (dist.has(lane)) continue;
    dist.set(lane, d);
    for (const p of lane.prev) if (!dist.has(p)) queue.push([p, d + p.length]);
  }
  return { dist, goal };
}

/** The lane after `lane`: the ego follows its route's turns, traffic picks by weighted chance. */
export function chooseNext(v: SimVehicle, lane: Lane, egoTurns: TurnPlan): Lane {
  if (lane.next.length === 1) return lane.next[0]!;
  if (v.destination && !v.destination.goal.has(lane)) {
    let best: Lane | null = null;
    let bestD = Infinity;
    for (const n of lane.next) {
      const d = v.destination.dist.get(n);
      if (d !== undefined && d < bestD) {
        bestD = d;
        best = n;
      }
    }
    if (best) return best;
  }
  if (v.isEgo) {
    const want = egoTurns.length ? egoTurns[v.turnIndex % egoTurns.length]! : 'straight';
    v.turnIndex++;
    const i = lane.turns.indexOf(want);
    const j = lane.turns.indexOf('straight');
    return lane.next[i >= 0 ? i : j >= 0 ? j : 0]!;
  }
  const weight = (t: string) => (t === 'straight' ? 0.6 : t === 'right' ? 0.25 : 0.15);
  const total = lane.turns.reduce((a, t) => a + weight(t), 0);
  let r = v.rng.next() * total;
  for (let i = 0; i < lane.next.length; i++) if ((r -= weight(lane.turns[i]!)) < 0) return lane.next[i]!;
  return lane.next[lane.next.length - 1]!;
}

/** Extends the vehicle's plan to at least two lanes and 250 m ahead (at most 12 lanes). */
export function ensurePlan(v: SimVehicle, egoTurns: TurnPlan): void {
  let ahead = 0;
  for (const l of v.plan) ahead += l.length;
  while (v.plan.length < 2 || ahead < 250) {
    const last = v.plan.length ? v.plan[v.plan.length - 1]! : v.lane;
    const n = chooseNext(v, last, egoTurns);
    v.plan.push(n);
    ahead += n.length;
    if (v.plan.length > 12) break;
  }
}

/**
 * Projects the new position onto the lane graph, moving on to the next lane past a lane end.
 * `leaving` is told of each lane left (before the move), e.g. to check its signal.
 */
export function locate(v: SimVehicle, egoTurns: TurnPlan, leaving: (lane: Lane) => void): void {
  let proj = v.lane.poly.project(v.body.x, v.body.y, v.seg);
  let guard = 0;
  while (proj.s >= v.lane.length && guard++ < 4) {
    const L = v.lane;
    leaving(L);
    v.signalDecision.delete(L.id);
    v.lane = v.plan.shift() ?? L.next[0]!;
    // Arrived: from here on the route's turns decide.
    if (v.destination?.goal.has(v.lane)) v.destination = undefined;
    ensurePlan(v, egoTurns);
    proj = v.lane.poly.project(v.body.x, v.body.y, 0);
  }
  v.s = Math.max(0, proj.s);
  v.d = proj.d;
  v.seg = proj.seg;
  const z = v.lane.poly.sample(v.s, v.seg).z;
  v.body.z = z;
}
