import { scenarioSchema, type BuiltinMapId } from '~/server/contracts/scenario';

/**
 * The bridge between built-in maps and CARLA towns. CARLA town names appear only here (and in
 * the files this module helps write): the built-in backend has its own map names.
 */

/** The town a CARLA run uses for each built-in map: the closest in character, not in geometry. */
export const carlaTownForMap: Record<BuiltinMapId, string> = {
  // Dense downtown with signalised four-way intersections; CARLA's default map.
  urban_grid: 'Town10HD',
  // The figure-eight highway loop with on/off ramps and a small town inside it.
  highway_ring: 'Town04',
  // Countryside with narrow curvy roads, hills and a village.
  rural_hills: 'Town07',
};

/**
 * Every CARLA town we recognise on import, with the built-in map of the same character. Towns
 * other than the three we export to are approximations, and say so.
 */
const townToMap: Record<string, BuiltinMapId> = {
  Town01: 'urban_grid', // small town, T-junctions with signals
  Town02: 'urban_grid', // smaller Town01
  Town03: 'urban_grid', // large urban map with a roundabout
  Town04: 'highway_ring',
  Town05: 'urban_grid', // squared grid with a multi-lane ring road
  Town06: 'highway_ring', // long multi-lane highways with ramps
  Town07: 'rural_hills',
  Town10HD: 'urban_grid',
  Town11: 'rural_hills', // large, mostly empty countryside
  Town12: 'urban_grid', // large mixed map, city centre first
  Town13: 'urban_grid',
  Town15: 'urban_grid',
};

export interface TownMatch {
  map: BuiltinMapId;
  /** Normalised town name, or null when the file names no CARLA town we know. */
  town: string | null;
  /** true when the town is the one we export for that map. */
  exact: boolean;
}

/**
 * CARLA accepts "Town04", "Town04_Opt", "/Game/Carla/Maps/Town04" and OpenDRIVE paths like
 * "maps/Town04.xodr"; all of them mean the same town.
 */
export function normaliseTownName(logicFile: string): string {
  const base = logicFile.trim().split(/[\\/]/).pop() ?? '';
  return base.replace(/\.xodr$/i, '').replace(/_Opt$/i, '');
}

export function mapForTown(logicFile: string | undefined): TownMatch {
  const fallback = scenarioSchema.parse({}).map;
  if (!logicFile) return { map: fallback, town: null, exact: false };
  const name = normaliseTownName(logicFile);
  const key = Object.keys(townToMap).find((t) => t.toLowerCase() === name.toLowerCase());
  if (!key) return { map: fallback, town: null, exact: false };
  const map = townToMap[key]!;
  return { map, town: key, exact: carlaTownForMap[map] === key };
}

/** A world pose in the town: metres, heading in radians (CARLA's OpenSCENARIO convention). */
export interface TownPose {
  x: number;
  y: number;
  z: number;
  h: number;
}

/**
 * Where the ego starts in each town when a scenario is exported. Town04's pose is the one
 * CARLA's own LaneChangeSimple example uses (a straight highway section); the others are
 * driving-lane poses on main roads. Callers with a surveyed spawn point pass their own.
 */
export const egoPoseForTown: Record<string, TownPose> = {
  Town04: { x: -9.4, y: -152.8, z: 0.5, h: Math.PI / 2 },
  Town10HD: { x: -41.6, y: 48.9, z: 0.6, h: -Math.PI / 2 },
  Town07: { x: -103.2, y: -3.5, z: 0.6, h: 0 },
};
