import type { DriverProfile } from '~/server/contracts/scenario';

/**
 * Driver behaviour: the Intelligent Driver Model (Treiber et al.) for car following and
 * MOBIL (Kesting et al.) for lane changes, parametrised by a driver profile.
 */

export interface DriverParams {
  /** m/s², comfortable acceleration */
  a: number;
  /** m/s², comfortable deceleration */
  b: number;
  /** s, desired time headway */
  T: number;
  /** m, jam distance */
  s0: number;
  /** multiplier on the speed limit */
  speedFactor: number;
  /** MOBIL politeness */
  politeness: number;
  /** m/s², MOBIL threshold */
  changeThreshold: number;
  /** m, std of lateral wander */
  wander: number;
  /** m/s², the deceleration a driver accepts to stop at an amber light; above it they go */
  amberDecel: number;
  /** chance per red light of running it in its first seconds */
  redRun: number;
}

export const driverProfilesParams: Record<DriverProfile, DriverParams> = {
  calm: {
    a: 1.2,
    b: 1.8,
    T: 1.8,
    s0: 2.5,
    speedFactor: 0.95,
    politeness: 0.6,
    changeThreshold: 0.4,
    wander: 0.12,
    amberDecel: 4.5,
    redRun: 0,
  },
  normal: {
    a: 1.8,
    b: 2.5,
    T: 1.4,
    s0: 2.0,
    speedFactor: 1.0,
    politeness: 0.3,
    changeThreshold: 0.2,
    wander: 0.18,
    amberDecel: 3.5,
    redRun: 0.01,
  },
  aggressive: {
    a: 2.8,
    b: 3.5,
    T: 0.9,
    s0: 1.5,
    speedFactor: 1.12,
    politeness: 0.05,
    changeThreshold: 0.05,
    wander: 0.3,
    amberDecel: 2.5,
    redRun: 0.2,
  },
};

/** Traffic driver for an aggressiveness in 0..1, varied per vehicle by `u` in [0,1). */
export function npcDriver(aggressiveness: number, u: number): DriverParams {
  const x = Math.min(1, Math.max(0, aggressiveness * 0.8 + u * 0.4 - 0.1));
  const lo = x < 0.5 ? driverProfilesParams.calm : driverProfilesParams.normal;
  const hi = x < 0.5 ? driverProfilesParams.normal : driverProfilesParams.aggressive;
  const w = x < 0.5 ? x * 2 : (x - 0.5) * 2;
  const mix = (k: keyof DriverParams) => lo[k] + (hi[k] - lo[k]) * w;
  return {
    a: mix('a'),
    b: mix('b'),
    T: mix('T'),
    s0: mix('s0'),
    speedFactor: mix('speedFactor'),
    politeness: mix('politeness'),
    changeThreshold: mix('changeThreshold'),
    wander: mix('wander'),
    amberDecel: mix('amberDecel'),
    redRun: aggressiveness * 0.1 * w * (x >= 0.5 ? 1 : 0),
  };
}

/** The hardest deceleration IDM may ask for: about what tyres give on a dry road. */
export const MAX_DECEL = 9;

/**
 * IDM acceleration towards desired speed v0, given a gap (bumper to bumper, m) to an obstacle
 * moving at vLead; gap = Infinity for a free road.
 */
export function idmAccel(d: DriverParams, v: number, v0: number, gap: number, vLead: number): number {
  if (!Number.isFinite(gap)) {
    // Above the desired speed (a curve or lower limit ahead) IDM's free term brakes far harder
    // than drivers do; the improved IDM's form slows at no more than b.
    if (v > v0) return v0 > 0.1 ? -d.b * (1 - Math.pow(v0 / v, (d.a * 4) / d.b)) : -d.b;
    return d.a * (1 - Math.pow(v / v0, 4));
  }
  const free = v0 > 0.1 ? Math.max(-1, 1 - Math.pow(v / v0, 4)) : -1;
  const dv = v - vLead;
  const sStar = d.s0 + Math.max(0, v * d.T + (v * dv) / (2 * Math.sqrt(d.a * d.b)));
  const g = Math.max(gap, 0.1);
  let acc = d.a * (free - (sStar / g) * (sStar / g));
  if (vLead < 0.5 && g > d.s0 + 0.5 && acc < -d.b) {
    // A standing obstacle far enough away: brake only as hard as stopping in front of it needs,
    // not as hard as IDM's interaction term asks (it overshoots for stop lines seen late).
    const need = (v * v) / (2 * (g - d.s0));
    acc = Math.max(acc, -Math.max(d.b, 1.15 * need));
  }
  return Math.max(-MAX_DECEL, acc);
}

export interface MobilInput {
  /** my acceleration now and after the change */
  meNow: number;
  meAfter: number;
  /** the follower I leave behind: its acceleration now and after */
  oldFollowerNow: number;
  oldFollowerAfter: number;
  /** the follower in the target lane: now and after I cut in */
  newFollowerNow: number;
  newFollowerAfter: number;
  /** m/s², added for the preferred direction (keep-right) */
  bias: number;
}

/** MOBIL: safe for the new follower, and worth it for me and (politely weighted) for others. */
export function mobilAccepts(d: DriverParams, m: MobilInput, bSafe = 4): boolean {
  if (m.newFollowerAfter < -bSafe) return false;
  const gain =
    m.meAfter -
    m.meNow +
    d.politeness * (m.newFollowerAfter - m.newFollowerNow + m.oldFollowerAfter - m.oldFollowerNow);
  return gain > d.changeThreshold - m.bias;
}
