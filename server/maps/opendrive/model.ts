/**
 * The OpenDRIVE road network as the reader hands it over: the file's own structure (roads,
 * lane sections, lanes, junctions, signals, controllers), with units normalised (speeds in m/s)
 * and lanes ordered from the centre outwards. Geometry is evaluated by ./geometry and queried
 * by ./query; this module only holds data.
 */

/** a + b·ds + c·ds² + d·ds³, ds measured from `s` (road s, or section-relative where noted). */
export interface Cubic {
  s: number;
  a: number;
  b: number;
  c: number;
  d: number;
}

export type GeometryKind = 'line' | 'arc' | 'spiral' | 'poly3' | 'paramPoly3';

export interface PlanGeometry {
  s: number;
  x: number;
  y: number;
  hdg: number;
  length: number;
  kind: GeometryKind;
  /** arc */
  curvature?: number;
  /** spiral */
  curvStart?: number;
  curvEnd?: number;
  /** poly3: v(u) = a + b·u + c·u² + d·u³ in the geometry's local frame */
  poly3?: { a: number; b: number; c: number; d: number };
  /** paramPoly3: u(p), v(p) */
  paramPoly3?: {
    aU: number;
    bU: number;
    cU: number;
    dU: number;
    aV: number;
    bV: number;
    cV: number;
    dV: number;
    pRange: 'arcLength' | 'normalized';
  };
}

export interface RoadMark {
  /** relative to the lane section's start */
  sOffset: number;
  type: string;
  color: string;
  weight?: string;
  width?: number;
  laneChange?: string;
}

export interface LaneSpeed {
  sOffset: number;
  /** m/s */
  max: number;
}

export interface OdrLane {
  id: number;
  type: string;
  level: boolean;
  /** width records, `s` relative to the lane section's start (OpenDRIVE's sOffset) */
  widths: Cubic[];
  /** border records (outer edge's t from the centre lane), used only when a lane has no width */
  borders: Cubic[];
  roadMarks: RoadMark[];
  speeds: LaneSpeed[];
  predecessor?: number;
  successor?: number;
}

export interface LaneSection {
  s: number;
  /** where the next section starts, or the road's length */
  sEnd: number;
  singleSide: boolean;
  /** ids 1, 2, …: from the centre outwards */
  left: OdrLane[];
  center: OdrLane | undefined;
  /** ids −1, −2, …: from the centre outwards */
  right: OdrLane[];
}

export type ContactPoint = 'start' | 'end';

export interface RoadLink {
  elementType: 'road' | 'junction';
  elementId: string;
  contactPoint?: ContactPoint;
}

export interface RoadType {
  s: number;
  type: string;
  /** m/s */
  speedMax?: number;
}

export interface OdrSignal {
  id: string;
  name?: string;
  s: number;
  t: number;
  zOffset: number;
  dynamic: boolean;
  orientation: string;
  type: string;
  subtype: string;
  country?: string;
  value?: number;
  unit?: string;
  /** lanes the signal applies to (from validity records); empty = all lanes of its direction */
  validLanes: { fromLane: number; toLane: number }[];
  /** true for a <signalReference> to a signal defined on another road */
  reference: boolean;
}

export interface OdrRoad {
  id: string;
  name: string;
  length: number;
  /** the junction this road belongs to, or undefined for an ordinary road */
  junction?: string;
  rule: 'RHT' | 'LHT';
  predecessor?: RoadLink;
  successor?: RoadLink;
  types: RoadType[];
  geometries: PlanGeometry[];
  elevation: Cubic[];
  superelevation: Cubic[];
  laneOffset: Cubic[];
  sections: LaneSection[];
  signals: OdrSignal[];
}

export interface LaneLink {
  from: number;
  to: number;
}

export interface JunctionConnection {
  id: string;
  incomingRoad: string;
  connectingRoad: string;
  contactPoint: ContactPoint;
  laneLinks: LaneLink[];
}

export interface OdrJunction {
  id: string;
  name: string;
  type: string;
  connections: JunctionConnection[];
  /** controllers (traffic-light groups) that govern this junction, in sequence order */
  controllers: { id: string; type?: string; sequence?: number }[];
}

export interface OdrController {
  id: string;
  name?: string;
  sequence?: number;
  controls: { signalId: string; type?: string }[];
}

export interface OdrHeader {
  revMajor: number;
  revMinor: number;
  name: string;
  version: string;
  date: string;
  vendor: string;
  north?: number;
  south?: number;
  east?: number;
  west?: number;
  /** PROJ string, when the file gives one */
  geoReference?: string;
  /** header <offset>: the inertial frame's shift and rotation against geoReference */
  offset?: { x: number; y: number; z: number; hdg: number };
}

export interface OdrNetwork {
  header: OdrHeader;
  roads: OdrRoad[];
  roadById: Map<string, OdrRoad>;
  junctions: OdrJunction[];
  junctionById: Map<string, OdrJunction>;
  controllers: OdrController[];
}
