import type { VehicleBlueprint } from '~/server/contracts/scenario';
import { child, childrenNamed, type XmlElement } from '~/server/xml/parse';
import { str, type ImportContext } from './import-context';
import { matchBlueprint } from './vehicle-models';

export interface EntityInfo {
  name: string;
  el: XmlElement;
  kind: 'vehicle' | 'pedestrian';
  model: string;
  category?: string;
  role?: string;
}

export interface ImportedEntities {
  all: EntityInfo[];
  ego: EntityInfo | undefined;
  npcs: EntityInfo[];
  pedestrians: EntityInfo[];
  egoBlueprint: VehicleBlueprint | undefined;
}

const EGO_NAMES = new Set(['hero', 'ego']);
/** Upper bound of traffic.vehicles (the scenario contract's). */
export const MAX_TRAFFIC = 200;

/** Entities: vehicles and pedestrians; MiscObject / CatalogReference ones are left to the sweep. */
export function readEntities(ctx: ImportContext): ImportedEntities {
  const { ledger, notes } = ctx;
  const entitiesEl = child(ctx.root, 'Entities');
  ledger.opened(entitiesEl);
  const all: EntityInfo[] = [];
  for (const so of childrenNamed(entitiesEl, 'ScenarioObject')) {
    const ename = so.attrs.name ?? '';
    const vehicle = child(so, 'Vehicle');
    const ped = child(so, 'Pedestrian');
    if (vehicle) {
      const role = childrenNamed(child(vehicle, 'Properties'), 'Property').find((p) => p.attrs.name === 'type')?.attrs
        .value;
      all.push({
        name: ename,
        el: so,
        kind: 'vehicle',
        model: str(ctx, vehicle, 'name') ?? '',
        category: str(ctx, vehicle, 'vehicleCategory'),
        role,
      });
      ledger.opened(so);
      ledger.handled(vehicle);
    } else if (ped) {
      all.push({
        name: ename,
        el: so,
        kind: 'pedestrian',
        model: str(ctx, ped, 'model') ?? str(ctx, ped, 'name') ?? '',
      });
      ledger.opened(so);
      ledger.handled(ped);
    }
  }
  const vehicles = all.filter((e) => e.kind === 'vehicle');
  const pedestrians = all.filter((e) => e.kind === 'pedestrian');
  if (vehicles.length)
    notes.push(
      "Vehicle dimensions and performance come from DriveLab's blueprint models, not from the file's BoundingBox/Performance/Axles.",
    );
  const ego = chooseEgo(ctx, vehicles);
  const npcs = vehicles.filter((v) => v !== ego);
  const egoBlueprint = egoBlueprintOf(ctx, ego);
  noteTraffic(ctx, npcs, pedestrians);
  return { all, ego, npcs, pedestrians, egoBlueprint };
}

/** The vehicle marked ego_vehicle, else one named hero/ego, else the first vehicle. */
function chooseEgo(ctx: ImportContext, vehicles: EntityInfo[]): EntityInfo | undefined {
  const egoCandidates = vehicles.filter((v) => v.role === 'ego_vehicle');
  const ego = egoCandidates[0] ?? vehicles.find((v) => EGO_NAMES.has(v.name.toLowerCase())) ?? vehicles[0];
  if (!egoCandidates.length && ego && !EGO_NAMES.has(ego.name.toLowerCase()))
    ctx.notes.push(`No vehicle is marked as ego; "${ego.name}" was taken as the ego.`);
  for (const extra of egoCandidates.slice(1))
    ctx.ledger.report(extra.el, 'a second ego vehicle; DriveLab has one ego, so it becomes ordinary traffic');
  return ego;
}

function egoBlueprintOf(ctx: ImportContext, ego: EntityInfo | undefined): VehicleBlueprint | undefined {
  if (!ego) {
    ctx.notes.push('The file has no vehicle; the ego uses the default blueprint.');
    return undefined;
  }
  const m = matchBlueprint(ego.model, ego.category);
  if (!m.exact)
    ctx.notes.push(`Ego blueprint "${ego.model}" is not modelled by the built-in backend; using ${m.blueprint}.`);
  return m.blueprint;
}

function noteTraffic(ctx: ImportContext, npcs: EntityInfo[], pedestrians: EntityInfo[]): void {
  const { notes } = ctx;
  if (npcs.length) {
    const models = [...new Set(npcs.map((n) => n.model))].join(', ');
    notes.push(
      `${npcs.length} traffic vehicle(s) (${models}) become traffic.vehicles; the built-in simulator draws NPC blueprints from its own mix.`,
    );
  }
  if (npcs.length > MAX_TRAFFIC) notes.push(`Traffic capped at ${MAX_TRAFFIC} vehicles (the file has ${npcs.length}).`);
  if (pedestrians.length && ctx.dl.DriveLab_pedestrians === undefined)
    notes.push(
      `${pedestrians.length} pedestrian(s) become traffic.pedestrians; built-in pedestrians cross on their own, their scripted behaviour is not imported.`,
    );
}
