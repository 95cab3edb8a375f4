import { vehicleBlueprints, type VehicleBlueprint } from '~/server/contracts/scenario';
import { blueprintParams } from '~/server/scenarios/blueprints';
import { el, type XmlElementNode } from '~/server/xml/write';

/**
 * OpenSCENARIO Vehicle descriptions of DriveLab's blueprints, and the way back from the wider
 * set of CARLA blueprints to the ones the built-in backend has a physical model for. Dimensions
 * come from the simulator's own vehicle parameters so both backends drive the same car.
 */

const heightM: Record<VehicleBlueprint, number> = {
  'vehicle.tesla.model3': 1.44,
  'vehicle.lincoln.mkz_2020': 1.48,
  'vehicle.audi.a2': 1.55,
  'vehicle.mercedes.coupe_2020': 1.42,
  'vehicle.nissan.patrol_2021': 1.95,
  'vehicle.carlamotors.carlacola': 2.9,
};

export function vehicleCategory(bp: VehicleBlueprint): 'car' | 'truck' {
  return bp === 'vehicle.carlamotors.carlacola' ? 'truck' : 'car';
}

/** The <Vehicle> of a ScenarioObject; `role` is CARLA's "type" property (ego_vehicle or simulation). */
export function vehicleElement(bp: VehicleBlueprint, role: 'ego_vehicle' | 'simulation'): XmlElementNode {
  const p = blueprintParams[bp];
  const h = heightM[bp];
  // Top speed where power meets drag; capped at CARLA's usual 250 km/h.
  const vmax = Math.min(69.444, Math.cbrt((2 * p.maxPower) / (1.225 * p.dragCoeff * p.frontalArea)));
  const axle = (x: number, steer: number) => ({
    maxSteering: steer,
    wheelDiameter: 2 * p.wheelRadius,
    trackWidth: p.width - 0.2,
    positionX: x,
    positionZ: p.wheelRadius,
  });
  return el('Vehicle', { name: bp, vehicleCategory: vehicleCategory(bp) }, [
    el('ParameterDeclarations'),
    el('Performance', {
      maxSpeed: vmax,
      maxAcceleration: Math.min(10, p.maxPower / (p.mass * 15)),
      maxDeceleration: p.maxBrakeForce / p.mass,
    }),
    // OpenSCENARIO's vehicle frame has its origin at the rear axle.
    el('BoundingBox', {}, [
      el('Center', { x: p.wheelbase / 2, y: 0, z: h / 2 }),
      el('Dimensions', { width: p.width, length: p.length, height: h }),
    ]),
    el('Axles', {}, [el('FrontAxle', axle(p.wheelbase, p.maxSteer)), el('RearAxle', axle(0, 0))]),
    el('Properties', {}, [el('Property', { name: 'type', value: role })]),
  ]);
}

/** Older or regional CARLA blueprints that are the same car as one we model. */
const sameCar: Record<string, VehicleBlueprint> = {
  'vehicle.tesla.model3': 'vehicle.tesla.model3',
  'vehicle.lincoln.mkz2017': 'vehicle.lincoln.mkz_2020',
  'vehicle.lincoln.mkz_2017': 'vehicle.lincoln.mkz_2020',
  'vehicle.lincoln.mkz_2020': 'vehicle.lincoln.mkz_2020',
  'vehicle.audi.a2': 'vehicle.audi.a2',
  'vehicle.mercedes-benz.coupe': 'vehicle.mercedes.coupe_2020',
  'vehicle.mercedes.coupe': 'vehicle.mercedes.coupe_2020',
  'vehicle.mercedes.coupe_2020': 'vehicle.mercedes.coupe_2020',
  'vehicle.nissan.patrol': 'vehicle.nissan.patrol_2021',
  'vehicle.nissan.patrol_2021': 'vehicle.nissan.patrol_2021',
  'vehicle.carlamotors.carlacola': 'vehicle.carlamotors.carlacola',
};

/** Heavy or boxy vehicles by name, for blueprints we do not know by heart. */
const truckLike = /truck|carlacola|firetruck|ambulance|fusorosa|bus|sprinter|european_hgv/i;
const vanLike = /t2|van|patrol|jeep|wrangler|cybertruck|etron|suv/i;

export interface BlueprintMatch {
  blueprint: VehicleBlueprint;
  exact: boolean;
}

/** The modelled blueprint closest to a CARLA blueprint name (and OSC vehicle category). */
export function matchBlueprint(name: string, category?: string): BlueprintMatch {
  const key = name.trim().toLowerCase();
  const same = sameCar[key];
  if (same) return { blueprint: same, exact: same === key };
  if (truckLike.test(key) || category === 'truck' || category === 'bus')
    return { blueprint: 'vehicle.carlamotors.carlacola', exact: false };
  if (vanLike.test(key) || category === 'van') return { blueprint: 'vehicle.nissan.patrol_2021', exact: false };
  return { blueprint: vehicleBlueprints[0], exact: false };
}
