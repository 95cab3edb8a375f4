/**
 * CARLA's frame. ScenarioRunner files whose FileHeader description starts with "CARLA:" give
 * world positions in CARLA's (Unreal's) left-handed frame: x forward, y to the right, heading
 * clockwise. OpenDRIVE's frame is right-handed, so the same point has y and heading negated.
 * The map is its own inverse, so one function converts in both directions.
 */

export const CARLA_DESCRIPTION_PREFIX = 'CARLA:';

export function usesCarlaFrame(description: string | undefined): boolean {
  return (description ?? '').startsWith(CARLA_DESCRIPTION_PREFIX);
}

export interface WorldPose {
  x: number;
  y: number;
  z: number;
  /** heading, rad */
  h: number;
}

/** CARLA ↔ OpenDRIVE: y and heading change sign (heading kept in (−π, π]). */
export function mirrorCarlaFrame(p: WorldPose): WorldPose {
  let h = -p.h;
  h -= 2 * Math.PI * Math.round(h / (2 * Math.PI));
  if (h <= -Math.PI) h += 2 * Math.PI;
  return { x: p.x, y: p.y === 0 ? 0 : -p.y, z: p.z, h: h === 0 ? 0 : h };
}
