/**
 * OpenDRIVE road networks: read a .xodr (./read), evaluate its geometry (./geometry, ./lanes),
 * project world points onto lanes (./spatial) and route through its lane graph (./graph).
 */
export * from './model';
export { readOpenDrive, OpenDriveError, ODR_LIMITS, type ReadOpenDriveResult } from './read';
export { referenceAt, cubicValue, pose2 } from './geometry';
export {
  DRIVABLE_LANE_TYPES,
  laneBounds,
  laneWidth,
  laneAtT,
  lanePose,
  roadPose,
  laneSpeedLimit,
  travelDirection,
  type LanePose,
} from './lanes';
export { LaneIndex, type LaneProjection } from './spatial';
export { buildLaneGraph, shortestRoute, laneNodeAt, type LaneGraph, type LaneNode, type Route } from './graph';
