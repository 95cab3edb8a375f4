import type { Lane } from '~/server/maps/road-network';
import { idmAccel, mobilAccepts } from './driver';
import { ensurePlan, type TurnPlan } from './routing';
import { tyrePull } from './thermal';
import type { TrafficView } from './traffic-view';
import type { SimVehicle } from './vehicle';

/**
 * Lateral control: MOBIL lane changes between parallel lanes (the tracked lane switches; the
 * steering carries the body over) and pure-pursuit steering along the planned path.
 */

/** MOBIL lane change between parallel lanes; switches the tracked lane, the steering does the rest. */
export function considerLaneChange(v: SimVehicle, t: number, view: TrafficView, egoTurns: TurnPlan): void {
  const L = v.lane;
  if (t < v.laneChangeAllowedAt || v.body.v < 4 || v.s < 15 || v.s > L.length - 60) return;
  const d = v.driver;
  const accOn = (lane: Lane, s: number, who: SimVehicle, vSelf: number, skip?: SimVehicle) => {
    let a = view.neighbourAhead(lane, s, who);
    if (a && a.v === skip) a = null;
    return idmAccel(who.driver, vSelf, who.desiredSpeed, a ? a.gap : Infinity, a ? a.v.body.v : 0);
  };
  const meNow = accOn(L, v.s, v, v.body.v);
  const oldF = view.neighbourBehind(L, v.s, v);
  let best: { lane: Lane; s: number } | null = null;
  for (const [target, bias] of [
    [L.left, -0.15],
    [L.right, 0.15],
  ] as const) {
    if (!target) continue;
    const s = (v.s * target.length) / L.length;
    if (s > target.length - 60) continue;
    const newA = view.neighbourAhead(target, s, v);
    const newF = view.neighbourBehind(target, s, v);
    if ((newA && newA.gap < 2) || (newF && newF.gap < 2)) continue;
    const meAfter = idmAccel(d, v.body.v, v.desiredSpeed, newA ? newA.gap : Infinity, newA ? newA.v.body.v : 0);
    const nfNow = newF ? accOn(target, newF.v.s, newF.v, newF.v.body.v) : 0;
    const nfAfter = newF ? idmAccel(newF.v.driver, newF.v.body.v, newF.v.desiredSpeed, newF.gap, v.body.v) : 0;
    const ofNow = oldF ? idmAccel(oldF.v.driver, oldF.v.body.v, oldF.v.desiredSpeed, oldF.gap, v.body.v) : 0;
    const ofAfter = oldF ? accOn(L, oldF.v.s, oldF.v, oldF.v.body.v, v) : 0;
    if (
      mobilAccepts(d, {
        meNow,
        meAfter,
        oldFollowerNow: ofNow,
        oldFollowerAfter: ofAfter,
        newFollowerNow: nfNow,
        newFollowerAfter: nfAfter,
        bias,
      })
    ) {
      best = { lane: target, s };
      break;
    }
  }
  if (!best) return;
  v.lane = best.lane;
  v.s = best.s;
  v.seg = best.lane.poly.segmentAt(best.s);
  v.plan = [];
  v.signalDecision.clear();
  ensurePlan(v, egoTurns);
  v.laneChangeAllowedAt = t + 6;
  // Keep the per-lane lists current for the vehicles deciding after this one.
  view.rebuild();
}

/** Pure pursuit towards a point on the planned path, offset by the driver's wander. */
export function steer(v: SimVehicle): number {
  const p = v.params;
  const ld = Math.min(30, Math.max(5, 3 + 0.55 * v.body.v));
  let s = v.s + ld;
  let lane = v.lane;
  let i = 0;
  while (s > lane.length && i < v.plan.length) {
    s -= lane.length;
    lane = v.plan[i++]!;
  }
  const tp = lane.poly.sample(Math.min(s, lane.length), lane === v.lane ? v.seg : 0);
  const tx = tp.x - Math.sin(tp.heading) * v.wander;
  const ty = tp.y + Math.cos(tp.heading) * v.wander;
  const dx = tx - v.body.x;
  const dy = ty - v.body.y;
  const alpha = Math.atan2(dy, dx) - v.body.yaw;
  const dist = Math.hypot(dx, dy);
  const delta = Math.atan2(2 * p.wheelbase * Math.sin(alpha), Math.max(dist, 1)) + tyrePull(p, v.health);
  return Math.max(-1, Math.min(1, delta / p.maxSteer));
}
