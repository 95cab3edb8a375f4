import type { BuiltinMapId } from '~/server/contracts/scenario';
import type { RoadMap } from './road-network';
import { buildHighwayRing } from './highway-ring';
import { buildRuralHills } from './rural-hills';
import { buildUrbanGrid } from './urban-grid';

const builders: Record<BuiltinMapId, () => RoadMap> = {
  urban_grid: buildUrbanGrid,
  highway_ring: buildHighwayRing,
  rural_hills: buildRuralHills,
};

const cache = new Map<BuiltinMapId, RoadMap>();

/** Maps are immutable once built, so runs in one process share them. */
export function getMap(id: BuiltinMapId): RoadMap {
  let m = cache.get(id);
  if (!m) {
    m = builders[id]();
    cache.set(id, m);
  }
  return m;
}
