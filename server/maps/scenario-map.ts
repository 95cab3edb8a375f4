import type { PrismaClient } from '@prisma/client';
import type { LanePlace, Scenario } from '../contracts/scenario';
import { issue, type ErrorIssue } from '../errors';
import { getMap } from './index';
import { loadOrgRoadMap } from './org-maps';
import type { RoadMap } from './road-network';

/**
 * What a scenario says about its map, checked against the map itself when it is saved: the
 * organisation's map (and version) exists, and every lane position (ego spawn, route
 * destination, placed traffic) names a lane of that map with s on the lane. The schema cannot
 * know this; without the check a typo surfaces only when the run fails to start.
 */

/** The road model a scenario drives on: its organisation map, else the built-in map. Null: gone. */
export async function scenarioRoadMap(
  db: PrismaClient,
  orgId: string,
  spec: Pick<Scenario, 'map' | 'roadNetwork'>,
): Promise<RoadMap | null> {
  if (!spec.roadNetwork) return getMap(spec.map);
  const exists = await db.orgMapVersion.findFirst({
    where: { orgId, mapId: spec.roadNetwork.mapId, version: spec.roadNetwork.version },
    select: { id: true },
  });
  return exists ? loadOrgRoadMap(db, orgId, spec.roadNetwork) : null;
}

/** Problems of each lane position against the map, at the spec's field paths. */
export function lanePlaceIssues(map: RoadMap, mapName: string, spec: Scenario, prefix = 'spec'): ErrorIssue[] {
  const out: ErrorIssue[] = [];
  const check = (place: Partial<LanePlace> | undefined, path: string, what: string) => {
    if (!place?.laneId) return;
    const lane = map.lanes.get(place.laneId);
    if (!lane) {
      out.push(
        issue(
          `${prefix}.${path}.laneId`,
          'unknown_lane',
          `${what} is on lane "${place.laneId}", which is not a driving lane of map ${mapName}`,
        ),
      );
      return;
    }
    if ((place.s ?? 0) > lane.length)
      out.push(
        issue(
          `${prefix}.${path}.s`,
          'past_lane_end',
          `${what} is ${round(place.s ?? 0)} m along lane "${place.laneId}", which is only ${round(lane.length)} m long`,
        ),
      );
  };
  check(spec.ego.spawn, 'ego.spawn', 'The ego start');
  check(spec.ego.route.to, 'ego.route.to', 'The route destination');
  spec.traffic.placed.forEach((p, i) => check(p, `traffic.placed.${i}`, `Traffic vehicle ${i}`));
  return out;
}

const round = (v: number) => Math.round(v * 10) / 10;

/** Every problem of the scenario's map reference (empty when it can be saved). */
export async function mapReferenceIssues(db: PrismaClient, orgId: string, spec: Scenario): Promise<ErrorIssue[]> {
  const map = await scenarioRoadMap(db, orgId, spec);
  if (!map) {
    const ref = spec.roadNetwork!;
    return [
      issue(
        'spec.roadNetwork',
        'unknown_map',
        `Map ${ref.name} version ${ref.version} does not exist in this organisation: choose one of its maps`,
      ),
    ];
  }
  return lanePlaceIssues(map, spec.roadNetwork?.name ?? spec.map, spec);
}

/** A lane as the studio draws it and places vehicles on it. */
export interface PlaceableLane {
  id: string;
  junction: boolean;
  length: number;
  width: number;
  /** centre line in the direction of travel, thinned to points about `stepM` apart */
  points: [number, number][];
}

/** The lanes vehicles can be placed on, with the bounds of the drawing. */
export function placeableLanes(map: RoadMap, stepM = 3): { lanes: PlaceableLane[]; bounds: number[] } {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const r = (v: number) => Math.round(v * 10) / 10;
  const lanes = map.laneList.map((l) => {
    const { xs, ys, cum } = l.poly;
    const points: [number, number][] = [];
    let last = -Infinity;
    for (let i = 0; i < xs.length; i++) {
      if (i !== 0 && i !== xs.length - 1 && cum[i]! - last < stepM) continue;
      last = cum[i]!;
      const x = r(xs[i]!);
      const y = r(ys[i]!);
      points.push([x, y]);
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x);
      maxY = Math.max(maxY, y);
    }
    return { id: l.id, junction: l.kind === 'junction', length: r(l.length), width: r(l.width), points };
  });
  return { lanes, bounds: [minX, minY, maxX, maxY] };
}
