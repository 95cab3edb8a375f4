import type { SimEvent } from '~/server/contracts/events';
import type { EgoTally } from './kpis';
import { knockDown, type Pedestrian } from './pedestrians';
import type { SimVehicle } from './vehicle';

/** Events thresholds. */
export const NEAR_MISS_TTC = 1.5;
export const HARD_BRAKE_DECEL = 4;

/** Fleet-wide counts (the ego's own are in the tally). */
export interface FleetTally {
  collisions: number;
  nearMisses: number;
  hardBrakes: number;
}

/** What detection reads and updates. */
export interface DetectionWorld {
  vehicles: readonly SimVehicle[];
  pedestrians: readonly Pedestrian[];
  /** Vehicle pairs ("i:j") in contact: one collision event per contact. */
  contacts: Set<string>;
  tally: EgoTally;
  fleet: FleetTally;
}

/**
 * Collision and infraction detection after each tick: lane invasions, hard brakes, near misses
 * (time to collision with the lead), vehicle-vehicle collisions (oriented boxes, separating
 * axis test) and vehicle-pedestrian collisions. Each episode gives one event (latches on the
 * vehicle); a collision stops the vehicles involved for 5 s.
 */
export function detect(t: number, world: DetectionWorld, ev: EventSink): void {
  const vs = world.vehicles;
  for (const v of vs) {
    // Lane invasion: the body crosses a marking (junction boxes have none).
    if (v.lane.kind !== 'junction') {
      const w = v.lane.width;
      const rel = v.d - Math.round(v.d / w) * w;
      const edge = Math.abs(rel) + v.params.width / 2;
      if (!v.invading && edge > w / 2) {
        v.invading = true;
        ev(t, v.id, 'lane_invasion', {
          laneId: v.lane.id,
          side: rel > 0 ? 'left' : 'right',
          at: { x: v.body.x, y: v.body.y },
        });
        if (v.isEgo) world.tally.laneInvasion++;
      } else if (v.invading && edge < w / 2 - 0.15) v.invading = false;
    }
    if (!v.hardBraking && v.body.accel < -HARD_BRAKE_DECEL) {
      v.hardBraking = true;
      ev(t, v.id, 'hard_brake', { decel: -v.body.accel, speed: v.body.v, threshold: HARD_BRAKE_DECEL });
      world.fleet.hardBrakes++;
      if (v.isEgo) world.tally.hardBrake++;
    } else if (v.hardBraking && v.body.accel > -HARD_BRAKE_DECEL / 2) v.hardBraking = false;
    const lead = v.lead;
    if (lead && lead.ttc !== null && v.isEgo)
      world.tally.minTtc = world.tally.minTtc === null ? lead.ttc : Math.min(world.tally.minTtc, lead.ttc);
    if (!v.nearMiss && lead && lead.ttc !== null && lead.ttc < NEAR_MISS_TTC) {
      v.nearMiss = true;
      ev(t, v.id, 'near_miss', { otherId: lead.id, ttc: lead.ttc, distance: lead.gap, threshold: NEAR_MISS_TTC });
      world.fleet.nearMisses++;
      if (v.isEgo) world.tally.nearMiss++;
    } else if (v.nearMiss && (!lead || lead.ttc === null || lead.ttc > 2 * NEAR_MISS_TTC)) v.nearMiss = false;
  }
  // Collisions between vehicles: oriented boxes, separating axis test.
  for (let i = 0; i < vs.length; i++) {
    const a = vs[i]!;
    for (let j = i + 1; j < vs.length; j++) {
      const b = vs[j]!;
      const reach = (a.params.length + b.params.length) / 2;
      const dx = b.body.x - a.body.x;
      const dy = b.body.y - a.body.y;
      const key = `${i}:${j}`;
      if (dx * dx + dy * dy > reach * reach || Math.abs(a.body.z - b.body.z) > 4 || !boxesOverlap(a, b)) {
        world.contacts.delete(key);
        continue;
      }
      if (world.contacts.has(key)) continue;
      world.contacts.add(key);
      const rel = Math.hypot(
        a.body.v * Math.cos(a.body.yaw) - b.body.v * Math.cos(b.body.yaw),
        a.body.v * Math.sin(a.body.yaw) - b.body.v * Math.sin(b.body.yaw),
      );
      const at = { x: (a.body.x + b.body.x) / 2, y: (a.body.y + b.body.y) / 2 };
      ev(t, a.id, 'collision', { otherKind: 'vehicle', otherId: b.id, relativeSpeed: rel, at });
      ev(t, b.id, 'collision', { otherKind: 'vehicle', otherId: a.id, relativeSpeed: rel, at });
      world.fleet.collisions++;
      if (a.isEgo || b.isEgo) world.tally.collisionsVehicle++;
      for (const x of [a, b]) {
        x.body.v = 0;
        x.stoppedUntil = t + 5;
      }
    }
  }
  for (const p of world.pedestrians) {
    if (p.phase !== 'crossing') continue;
    for (const v of vs) {
      if (!pointInBox(v, p.x, p.y, 0.3)) continue;
      ev(t, v.id, 'collision', {
        otherKind: 'pedestrian',
        otherId: p.id,
        relativeSpeed: v.body.v,
        at: { x: p.x, y: p.y },
      });
      world.fleet.collisions++;
      if (v.isEgo) world.tally.collisionsPedestrian++;
      v.body.v = 0;
      v.stoppedUntil = t + 5;
      knockDown(p, t);
      break;
    }
  }
}

export type EventSink = <T extends SimEvent['type']>(
  t: number,
  vehicleId: string | null,
  type: T,
  data: Extract<SimEvent, { type: T }>['data'],
) => void;

function corners(v: SimVehicle): [number, number][] {
  const c = Math.cos(v.body.yaw);
  const s = Math.sin(v.body.yaw);
  const hl = v.params.length / 2;
  const hw = v.params.width / 2;
  return [
    [v.body.x + c * hl - s * hw, v.body.y + s * hl + c * hw],
    [v.body.x + c * hl + s * hw, v.body.y + s * hl - c * hw],
    [v.body.x - c * hl + s * hw, v.body.y - s * hl - c * hw],
    [v.body.x - c * hl - s * hw, v.body.y - s * hl + c * hw],
  ];
}

export function boxesOverlap(a: SimVehicle, b: SimVehicle): boolean {
  const ca = corners(a);
  const cb = corners(b);
  for (const yaw of [a.body.yaw, a.body.yaw + Math.PI / 2, b.body.yaw, b.body.yaw + Math.PI / 2]) {
    const ax = Math.cos(yaw);
    const ay = Math.sin(yaw);
    let minA = Infinity;
    let maxA = -Infinity;
    let minB = Infinity;
    let maxB = -Infinity;
    for (const [x, y] of ca) {
      const p = x * ax + y * ay;
      minA = Math.min(minA, p);
      maxA = Math.max(maxA, p);
    }
    for (const [x, y] of cb) {
      const p = x * ax + y * ay;
      minB = Math.min(minB, p);
      maxB = Math.max(maxB, p);
    }
    if (maxA < minB || maxB < minA) return false;
  }
  return true;
}

export function pointInBox(v: SimVehicle, x: number, y: number, margin: number): boolean {
  const dx = x - v.body.x;
  const dy = y - v.body.y;
  const c = Math.cos(v.body.yaw);
  const s = Math.sin(v.body.yaw);
  const lon = dx * c + dy * s;
  const lat = -dx * s + dy * c;
  return Math.abs(lon) <= v.params.length / 2 + margin && Math.abs(lat) <= v.params.width / 2 + margin;
}
