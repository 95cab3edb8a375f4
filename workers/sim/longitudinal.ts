import type { Lane } from '~/server/maps/road-network';
import { idmAccel, MAX_DECEL } from './driver';
import type { TrafficView } from './traffic-view';
import type { SignalController } from './traffic-lights';
import type { SimVehicle } from './vehicle';

/**
 * Longitudinal control: the acceleration a driver wants (IDM towards the lead vehicle, curve and
 * limit speeds ahead, merges, pedestrians on crosswalks, traffic lights). Sets v.lead, the
 * radar's ground truth, on the way. The pedals that realise it come from dynamics.ts.
 */

/**
 * Looks along the planned path for what the driver must respond to: the lead vehicle,
 * vehicles merging ahead, pedestrians on crosswalks, stop lines. Returns the wanted acceleration.
 */
export function decideAccel(v: SimVehicle, t: number, view: TrafficView, signals: SignalController): number {
  const d = v.driver;
  const speed = v.body.v;
  const halfLen = v.params.length / 2;
  const range = Math.max(80, speed * 7);
  const lanes = [v.lane, ...v.plan];
  // The open-road speed, lowered so the driver can slow in time for curves and limits ahead.
  let v0 = v.desiredSpeed;
  let acc = Infinity;
  v.lead = null;
  let base = -v.s;
  let leadFound = false;
  for (let i = 0; i < lanes.length && base < range; i++) {
    const L = lanes[i]!;
    // Curves and lower limits ahead.
    const cum = L.poly.cum;
    const sf = v.isEgo ? 1 : d.speedFactor;
    for (let k = i === 0 ? v.seg + 1 : 0; k < cum.length; k++) {
      const pos = base + cum[k]!;
      if (pos < 0) continue;
      if (pos > range) break;
      const cs = L.curveSpeed[k]! * sf;
      if (cs < v0) v0 = Math.min(v0, Math.sqrt(cs * cs + 2 * d.b * Math.max(0, pos - halfLen)));
    }
    if (!leadFound) {
      const occ = view.on(L);
      if (occ) {
        for (const o of occ) {
          if (o === v) continue;
          const pos = base + o.s;
          if (pos <= 0 || (i === 0 && o.s <= v.s)) continue;
          if (pos > range) break;
          setLead(v, o, pos);
          leadFound = true;
          break;
        }
      }
      // Just after a diverge the branches still overlap: a vehicle that took the other branch
      // is still physically ahead.
      const from = i === 0 ? v.lane.prev[0] : lanes[i - 1];
      if (from && from.next.length > 1) {
        for (const sib of from.next) {
          if (sib === L) continue;
          const so = view.on(sib);
          if (!so) continue;
          for (const o of so) {
            const pos = base + o.s;
            if (o.s > o.params.length + 6 || pos <= 0 || (i === 0 && o.s <= v.s)) continue;
            // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- setLead assigns v.lead in this loop
            if (!v.lead || pos - (v.params.length + o.params.length) / 2 < v.lead.gap) setLead(v, o, pos);
            leadFound = true;
          }
        }
      }
    }
    // Zipper merge: whoever is nearer the merge point goes first.
    if (i >= 1 && L.prev.length > 1 && base < 90) {
      for (const P of L.prev) {
        if (P === lanes[i - 1]) continue;
        const occ = view.on(P);
        if (!occ) continue;
        for (const o of occ) {
          const remaining = P.length - o.s;
          if (remaining < base || (remaining === base && o.index < v.index)) {
            if (base - remaining < 90)
              acc = Math.min(
                acc,
                idmAccel(
                  d,
                  speed,
                  v.desiredSpeed,
                  base - remaining - (v.params.length + o.params.length) / 2,
                  o.body.v,
                ),
              );
          }
        }
      }
    }
    for (const c of L.crossings) {
      const pos = base + c.s;
      if (pos <= halfLen * 0.5 || pos > range) continue;
      if (view.pedestrianInConflict(c.crosswalk, c.u))
        acc = Math.min(acc, idmAccel(d, speed, v.desiredSpeed, pos - halfLen - 2.5, 0));
    }
    const stopPos = base + L.length;
    if (L.signalId && stopPos > 0 && stopPos < range) {
      const state = signals.state(L.signalId, t);
      const gapToLine = stopPos - halfLen - 1;
      let decision = v.signalDecision.get(L.id);
      if (state === 'green') {
        if (decision === 'stop') v.signalDecision.delete(L.id);
        // Keep the box clear: no entering while crossing traffic is inside or the exit is jammed.
        const into = lanes[i + 1];
        const exit = lanes[i + 2];
        const canStop = gapToLine > (speed * speed) / (2 * d.b);
        if (into && canStop && gapToLine < 40) {
          const busy = into.conflicts.some((c) => (view.on(c)?.length ?? 0) > 0);
          const exitOcc = exit ? view.on(exit) : undefined;
          const jammed = !!exitOcc && exitOcc.some((o) => o.s < o.params.length + 4 && o.body.v < 2);
          if (busy || jammed) acc = Math.min(acc, idmAccel(d, speed, v.desiredSpeed, gapToLine, 0));
        }
        if (into?.yieldsTo?.length && gapToLine < 40 && givesWay(v, into.yieldsTo, gapToLine, view)) {
          acc = Math.min(acc, idmAccel(d, speed, v.desiredSpeed, gapToLine, 0));
        }
      } else {
        if (decision === undefined) {
          const need = gapToLine > 0.5 ? (speed * speed) / (2 * gapToLine) : Infinity;
          if (state === 'amber') decision = need > d.amberDecel ? 'go' : 'stop';
          else
            decision =
              signals.redFor(L.signalId, t) < 2 && need > 1.5 && v.rng.chance(d.redRun)
                ? 'go'
                : need > MAX_DECEL
                  ? 'go'
                  : 'stop';
          v.signalDecision.set(L.id, decision);
        }
        if (decision === 'stop') acc = Math.min(acc, idmAccel(d, speed, v.desiredSpeed, gapToLine, 0));
      }
    }
    if (!L.signalId && stopPos > 0 && stopPos < 40) {
      const into = lanes[i + 1];
      if (into?.junctionId && into.conflicts.length && yieldAtJunction(v, into, stopPos, view))
        acc = Math.min(acc, idmAccel(d, speed, v.desiredSpeed, stopPos - halfLen - 1, 0));
    }
    base += L.length;
  }
  const lead = v.lead as SimVehicle['lead'];
  if (lead) acc = Math.min(acc, idmAccel(d, speed, v0, lead.gap, lead.speed));
  acc = Math.min(acc, idmAccel(d, speed, v0, Infinity, 0));
  return acc;
}

/** The vehicle ahead at distance pos (centre to centre along the path) becomes the radar target. */
export function setLead(v: SimVehicle, o: SimVehicle, pos: number): void {
  const gap = Math.max(0, pos - (v.params.length + o.params.length) / 2);
  const closing = v.body.v - o.body.v;
  v.lead = { id: o.id, gap, speed: o.body.v, ttc: closing > 0.1 ? gap / closing : null };
}

/**
 * Priority at a junction without signals: first come, first served. A driver about to enter
 * `into` (its stop line `stopPos` ahead) waits while a crossing path is occupied, or while a
 * vehicle nearer its own entry (the lower index on a tie) approaches one.
 */
function yieldAtJunction(v: SimVehicle, into: Lane, stopPos: number, view: TrafficView): boolean {
  const canStop = stopPos - v.params.length / 2 > (v.body.v * v.body.v) / (2 * MAX_DECEL);
  if (!canStop) return false;
  for (const c of into.conflicts) {
    if (view.on(c)?.some((o) => o.s < c.length - o.params.length)) return true;
    for (const P of c.prev) {
      const occ = view.on(P);
      if (!occ) continue;
      for (const o of occ) {
        if (o === v) continue;
        const dist = P.length - o.s;
        if (dist < 25 && (dist < stopPos - 0.5 || (Math.abs(dist - stopPos) <= 0.5 && o.index < v.index))) return true;
      }
    }
  }
  return false;
}

/** A permissive turn waits while traffic it gives way to is in, or about to enter, the box. */
function givesWay(v: SimVehicle, lanes: readonly Lane[], gapToLine: number, view: TrafficView): boolean {
  if (gapToLine < (v.body.v * v.body.v) / (2 * MAX_DECEL)) return false;
  for (const c of lanes) {
    if (view.on(c)?.some((o) => o.s < c.length - o.params.length)) return true;
    for (const P of c.prev) for (const o of view.on(P) ?? []) if (P.length - o.s < 4 + o.body.v * 3) return true;
  }
  return false;
}
