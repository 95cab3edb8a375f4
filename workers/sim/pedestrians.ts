import type { Rng } from './prng';
import type { Crosswalk, RoadMap } from '~/server/maps/road-network';
import type { SignalController } from './traffic-lights';

/**
 * Pedestrians wait at a crosswalk, cross when their light allows (or, on an unsignalised
 * crosswalk, when approaching traffic leaves a gap), then wait and cross back. Jaywalkers,
 * more of them with more aggressive traffic, start regardless.
 */

export interface Pedestrian {
  id: string;
  crosswalk: Crosswalk;
  length: number;
  /** m from the crosswalk's end a */
  u: number;
  dir: 1 | -1;
  speed: number;
  phase: 'waiting' | 'crossing' | 'down';
  waitUntil: number;
  x: number;
  y: number;
}

export function spawnPedestrians(map: RoadMap, count: number, rng: Rng): Pedestrian[] {
  if (map.crosswalks.length === 0) return [];
  const out: Pedestrian[] = [];
  for (let i = 0; i < count; i++) {
    const cw = map.crosswalks[rng.int(map.crosswalks.length)]!;
    const length = Math.hypot(cw.b.x - cw.a.x, cw.b.y - cw.a.y);
    const dir: 1 | -1 = rng.chance(0.5) ? 1 : -1;
    const p: Pedestrian = {
      id: `ped-${i}`,
      crosswalk: cw,
      length,
      u: dir === 1 ? 0 : length,
      dir,
      speed: rng.range(1.1, 1.6),
      phase: 'waiting',
      waitUntil: rng.range(0, 20),
      x: 0,
      y: 0,
    };
    place(p);
    out.push(p);
  }
  return out;
}

function place(p: Pedestrian): void {
  const f = p.u / p.length;
  p.x = p.crosswalk.a.x + (p.crosswalk.b.x - p.crosswalk.a.x) * f;
  p.y = p.crosswalk.a.y + (p.crosswalk.b.y - p.crosswalk.a.y) * f;
}

export interface PedestrianContext {
  t: number;
  dt: number;
  signals: SignalController;
  aggressiveness: number;
  rng: Rng;
  /** For unsignalised crosswalks: seconds until the nearest vehicle reaches this one. */
  timeToArrival(cw: Crosswalk): number;
  /** whether a vehicle stands at this spot */
  blocked(x: number, y: number): boolean;
}

export function stepPedestrians(peds: Pedestrian[], ctx: PedestrianContext): void {
  for (const p of peds) {
    if (p.phase === 'down') {
      if (ctx.t >= p.waitUntil) {
        p.phase = 'waiting';
        p.u = p.dir === 1 ? 0 : p.length;
        place(p);
      }
      continue;
    }
    if (p.phase === 'waiting') {
      if (ctx.t < p.waitUntil) continue;
      const cw = p.crosswalk;
      let go: boolean;
      // Even with a walk signal nobody steps in front of a turning car about to arrive.
      if (cw.walkWhenRed !== null && cw.junctionId)
        go = ctx.signals.pedestriansMayStart(cw.junctionId, cw.walkWhenRed, ctx.t) && ctx.timeToArrival(cw) > 2.5;
      else go = ctx.timeToArrival(cw) > 7;
      // A jaywalker decides once per wait whether to ignore the rules.
      if (!go && ctx.rng.chance(0.02 * ctx.aggressiveness * ctx.dt)) go = true;
      if (go) p.phase = 'crossing';
      continue;
    }
    const step = p.dir * p.speed * ctx.dt;
    const f = (p.u + step + p.dir * 0.5) / p.length;
    if (
      ctx.blocked(
        p.crosswalk.a.x + (p.crosswalk.b.x - p.crosswalk.a.x) * f,
        p.crosswalk.a.y + (p.crosswalk.b.y - p.crosswalk.a.y) * f,
      )
    )
      continue;
    p.u += step;
    if (p.u <= 0 || p.u >= p.length) {
      p.u = Math.min(Math.max(p.u, 0), p.length);
      p.dir = p.dir === 1 ? -1 : 1;
      p.phase = 'waiting';
      p.waitUntil = ctx.t + ctx.rng.range(5, 25);
    }
    place(p);
  }
}

/** Knocked down by a vehicle: off the road for a while, then back at the kerb. */
export function knockDown(p: Pedestrian, t: number): void {
  p.phase = 'down';
  p.waitUntil = t + 30;
}
