import { cubicSlope, cubicValue, pose2, recordIndex, referenceAt } from './geometry';
import type { Cubic, LaneSection, OdrLane, OdrRoad } from './model';

/**
 * Lane-level queries on one road: which section holds s, where each lane's borders lie, and the
 * world pose of a lane position. t is OpenDRIVE's lateral coordinate (left of the reference line
 * positive), measured in the horizontal plane; superelevation tilts the cross-section in z only.
 */

/** Lane types a vehicle may drive on (OpenDRIVE 1.4–1.8 names). */
export const DRIVABLE_LANE_TYPES: ReadonlySet<string> = new Set([
  'driving',
  'entry',
  'exit',
  'onRamp',
  'offRamp',
  'connectingRamp',
  'bidirectional',
  'slipLane',
]);

export function sectionIndexAt(road: OdrRoad, s: number): number {
  return road.sections.length ? recordIndex(road.sections, s) : -1;
}

export function laneOffsetAt(road: OdrRoad, s: number): number {
  return cubicValue(road.laneOffset, s);
}

function widthRecordValue(records: readonly Cubic[], ds: number): number {
  if (records.length === 0) return 0;
  const r = records[recordIndex(records, ds)]!;
  const x = ds - r.s;
  return r.a + x * (r.b + x * (r.c + x * r.d));
}

/** Width of one lane at road s (border-defined lanes: from their inner border). */
export function laneWidthIn(section: LaneSection, lane: OdrLane, s: number, innerT: number, side: 1 | -1): number {
  const ds = s - section.s;
  if (lane.widths.length === 0 && lane.borders.length) {
    return Math.max(0, side * (widthRecordValue(lane.borders, ds) - innerT));
  }
  return Math.max(0, widthRecordValue(lane.widths, ds));
}

export function lanesOf(section: LaneSection, laneId: number): OdrLane | undefined {
  if (laneId > 0)
    return section.left[laneId - 1]?.id === laneId
      ? section.left[laneId - 1]
      : section.left.find((l) => l.id === laneId);
  if (laneId < 0)
    return section.right[-laneId - 1]?.id === laneId
      ? section.right[-laneId - 1]
      : section.right.find((l) => l.id === laneId);
  return section.center;
}

/** Inner and outer t of a lane at s; null when the lane is not in the section at s. */
export function laneBounds(road: OdrRoad, laneId: number, s: number): { inner: number; outer: number } | null {
  const si = sectionIndexAt(road, s);
  if (si < 0) return null;
  const sec = road.sections[si]!;
  const base = laneOffsetAt(road, s);
  if (laneId === 0) return { inner: base, outer: base };
  const side: 1 | -1 = laneId > 0 ? 1 : -1;
  const list = laneId > 0 ? sec.left : sec.right;
  let t = base;
  for (const ln of list) {
    const w = laneWidthIn(sec, ln, s, t, side);
    if (ln.id === laneId) return { inner: t, outer: t + side * w };
    t += side * w;
  }
  return null;
}

export function laneWidth(road: OdrRoad, laneId: number, s: number): number {
  const b = laneBounds(road, laneId, s);
  return b ? Math.abs(b.outer - b.inner) : 0;
}

/** Scratch answer of `laneAtTInto`: lane id, centre t, inner t, outer t. */
export type LaneHit = Float64Array;

/**
 * The lane containing lateral position t at s, written into `out` ([id, centreT, inner, outer]);
 * false beyond the outermost lane. Allocation-free: the projection index calls it per candidate.
 */
export function laneAtTInto(road: OdrRoad, s: number, t: number, out: LaneHit): boolean {
  const sections = road.sections;
  if (sections.length === 0) return false;
  const sec = sections.length === 1 ? sections[0]! : sections[recordIndex(sections, s)]!;
  const base = road.laneOffset.length ? cubicValue(road.laneOffset, s) : 0;
  const side: 1 | -1 = t >= base ? 1 : -1;
  const list = side > 0 ? sec.left : sec.right;
  let inner = base;
  for (let i = 0; i < list.length; i++) {
    const ln = list[i]!;
    const w = laneWidthIn(sec, ln, s, inner, side);
    const outer = inner + side * w;
    if (side * (t - outer) <= 0 && w > 0) {
      out[0] = ln.id;
      out[1] = 0.5 * (inner + outer);
      out[2] = inner;
      out[3] = outer;
      return true;
    }
    inner = outer;
  }
  return false;
}

/**
 * The lane containing lateral position t at s (its id, centre t and borders), or null beyond
 * the outermost lane.
 */
export function laneAtT(
  road: OdrRoad,
  s: number,
  t: number,
): { laneId: number; centerT: number; inner: number; outer: number } | null {
  const h = new Float64Array(4);
  if (!laneAtTInto(road, s, t, h)) return null;
  return { laneId: h[0]!, centerT: h[1]!, inner: h[2]!, outer: h[3]! };
}

export interface LanePose {
  x: number;
  y: number;
  z: number;
  /** heading of the reference line at s (rad) */
  heading: number;
  /** heading in the lane's direction of travel (reversed for left lanes under right-hand traffic) */
  laneHeading: number;
  /** t of the pose */
  t: number;
}

/** +1 when a lane is driven towards increasing s, −1 towards decreasing s. */
export function travelDirection(road: OdrRoad, laneId: number): 1 | -1 {
  const rightSideForward = road.rule !== 'LHT';
  return laneId < 0 === rightSideForward ? 1 : -1;
}

const ref = pose2();

/** (road, lane, s, offset from the lane centre, t-direction) → world pose. */
export function lanePose(road: OdrRoad, laneId: number, s: number, offset = 0): LanePose | null {
  const b = laneBounds(road, laneId, s);
  if (!b) return null;
  const t = 0.5 * (b.inner + b.outer) + offset;
  return roadPose(road, s, t, laneId);
}

/** (road, s, t) → world pose. */
export function roadPose(road: OdrRoad, s: number, t: number, laneId = -1): LanePose {
  referenceAt(road, s, ref);
  const h = ref[2]!;
  const x = ref[0]! - t * Math.sin(h);
  const y = ref[1]! + t * Math.cos(h);
  const z = cubicValue(road.elevation, s) + t * Math.tan(cubicValue(road.superelevation, s));
  return { x, y, z, heading: h, laneHeading: travelDirection(road, laneId) > 0 ? h : h + Math.PI, t };
}

/** Speed limit of a lane at s (m/s): the lane's own speed record, else the road type's. */
export function laneSpeedLimit(road: OdrRoad, laneId: number, s: number): number | undefined {
  const si = sectionIndexAt(road, s);
  const sec = road.sections[si];
  const lane = sec ? lanesOf(sec, laneId) : undefined;
  if (lane && lane.speeds.length) {
    const ds = s - sec!.s;
    let best = lane.speeds[0]!;
    for (const sp of lane.speeds) if (sp.sOffset <= ds) best = sp;
    return best.max;
  }
  if (road.types.length) return road.types[recordIndex(road.types, s)]!.speedMax;
  return undefined;
}

/** Slope of the elevation profile (dz/ds) at s. */
export function gradeAt(road: OdrRoad, s: number): number {
  return cubicSlope(road.elevation, s);
}
