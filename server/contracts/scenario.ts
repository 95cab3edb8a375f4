import { z } from 'zod';

/**
 * A driving scenario: the one definition shared by the portal, the sim worker, campaigns and the
 * OpenSCENARIO exporter. Every field has a default so that a half-filled form is already a
 * runnable scenario; the defaults are the "highway cruise" baseline.
 */

/** Maps of the built-in simulator. Its own names: CARLA town names belong to the carla backend. */
export const builtinMapIds = ['urban_grid', 'highway_ring', 'rural_hills'] as const;
export type BuiltinMapId = (typeof builtinMapIds)[number];

/** CARLA's weather presets, so a scenario means the same thing on both backends. */
export const weatherPresetNames = [
  'ClearNoon',
  'CloudyNoon',
  'WetNoon',
  'WetCloudyNoon',
  'MidRainyNoon',
  'HardRainNoon',
  'SoftRainNoon',
  'ClearSunset',
  'CloudySunset',
  'WetSunset',
  'WetCloudySunset',
  'MidRainSunset',
  'HardRainSunset',
  'SoftRainSunset',
  'ClearNight',
  'CloudyNight',
  'WetNight',
  'WetCloudyNight',
  'SoftRainNight',
  'MidRainyNight',
  'HardRainNight',
] as const;
export type WeatherPresetName = (typeof weatherPresetNames)[number];

export interface WeatherParams {
  /** 0..100 */
  cloudiness: number;
  /** 0..100 */
  precipitation: number;
  /** 0..100 */
  fog: number;
  /** 0..100 */
  wetness: number;
  /** degrees, -90..90; below 0 is night */
  sunAltitude: number;
}

/** Values of CARLA's WeatherParameters presets (rounded), the source of truth for a preset. */
export const weatherPresets: Record<WeatherPresetName, WeatherParams> = {
  ClearNoon: { cloudiness: 5, precipitation: 0, fog: 2, wetness: 0, sunAltitude: 45 },
  CloudyNoon: { cloudiness: 60, precipitation: 0, fog: 3, wetness: 0, sunAltitude: 45 },
  WetNoon: { cloudiness: 5, precipitation: 0, fog: 3, wetness: 50, sunAltitude: 45 },
  WetCloudyNoon: { cloudiness: 60, precipitation: 0, fog: 3, wetness: 50, sunAltitude: 45 },
  MidRainyNoon: { cloudiness: 60, precipitation: 60, fog: 3, wetness: 60, sunAltitude: 45 },
  HardRainNoon: { cloudiness: 100, precipitation: 100, fog: 7, wetness: 90, sunAltitude: 45 },
  SoftRainNoon: { cloudiness: 20, precipitation: 30, fog: 3, wetness: 50, sunAltitude: 45 },
  ClearSunset: { cloudiness: 5, precipitation: 0, fog: 2, wetness: 0, sunAltitude: 15 },
  CloudySunset: { cloudiness: 60, precipitation: 0, fog: 3, wetness: 0, sunAltitude: 15 },
  WetSunset: { cloudiness: 5, precipitation: 0, fog: 2, wetness: 50, sunAltitude: 15 },
  WetCloudySunset: { cloudiness: 60, precipitation: 0, fog: 2, wetness: 50, sunAltitude: 15 },
  MidRainSunset: { cloudiness: 60, precipitation: 60, fog: 2, wetness: 60, sunAltitude: 15 },
  HardRainSunset: { cloudiness: 100, precipitation: 100, fog: 7, wetness: 90, sunAltitude: 15 },
  SoftRainSunset: { cloudiness: 20, precipitation: 30, fog: 2, wetness: 50, sunAltitude: 15 },
  ClearNight: { cloudiness: 5, precipitation: 0, fog: 60, wetness: 0, sunAltitude: -80 },
  CloudyNight: { cloudiness: 60, precipitation: 0, fog: 60, wetness: 0, sunAltitude: -80 },
  WetNight: { cloudiness: 5, precipitation: 0, fog: 60, wetness: 50, sunAltitude: -80 },
  WetCloudyNight: { cloudiness: 60, precipitation: 0, fog: 60, wetness: 50, sunAltitude: -80 },
  SoftRainNight: { cloudiness: 60, precipitation: 30, fog: 60, wetness: 60, sunAltitude: -80 },
  MidRainyNight: { cloudiness: 80, precipitation: 60, fog: 60, wetness: 80, sunAltitude: -80 },
  HardRainNight: { cloudiness: 100, precipitation: 100, fog: 100, wetness: 100, sunAltitude: -80 },
};

/** CARLA blueprint ids the built-in backend has a physical model for. */
export const vehicleBlueprints = [
  'vehicle.tesla.model3',
  'vehicle.lincoln.mkz_2020',
  'vehicle.audi.a2',
  'vehicle.mercedes.coupe_2020',
  'vehicle.nissan.patrol_2021',
  'vehicle.carlamotors.carlacola',
] as const;
export type VehicleBlueprint = (typeof vehicleBlueprints)[number];

export const driverProfiles = ['calm', 'normal', 'aggressive'] as const;
export type DriverProfile = (typeof driverProfiles)[number];

export const faultTypes = [
  'brake_fade',
  'engine_overheat',
  'tire_leak',
  'battery_thermal_runaway',
  'sensor_dropout',
  'sensor_stuck',
  'gnss_drift',
] as const;
export type FaultType = (typeof faultTypes)[number];

/** Sensor channels of the telemetry frame that sensor faults can target. */
export const sensorChannels = ['gnss', 'speed', 'imu', 'powertrain', 'brakes', 'tires', 'lane', 'radar'] as const;
export type SensorChannel = (typeof sensorChannels)[number];

const percent = (name: string) =>
  z
    .number({ error: `${name} must be a number` })
    .min(0, `${name} must be between 0 and 100`)
    .max(100, `${name} must be between 0 and 100`);
const unit = (name: string) =>
  z
    .number({ error: `${name} must be a number` })
    .min(0, `${name} must be between 0 and 1`)
    .max(1, `${name} must be between 0 and 1`);

export const weatherSchema = z
  .object({
    preset: z
      .enum(weatherPresetNames, { error: `weather preset must be one of ${weatherPresetNames.join(', ')}` })
      .default('ClearNoon'),
    /** Explicit values override the preset's. */
    cloudiness: percent('cloudiness').optional(),
    precipitation: percent('precipitation').optional(),
    fog: percent('fog').optional(),
    wetness: percent('wetness').optional(),
    sunAltitude: z
      .number()
      .min(-90, 'sunAltitude must be between -90 and 90')
      .max(90, 'sunAltitude must be between -90 and 90')
      .optional(),
  })
  .prefault({});
export type WeatherInput = z.infer<typeof weatherSchema>;

/** The weather a run actually has: the preset with explicit values laid over it. */
export function resolveWeather(w: WeatherInput): WeatherParams {
  const base = weatherPresets[w.preset];
  return {
    cloudiness: w.cloudiness ?? base.cloudiness,
    precipitation: w.precipitation ?? base.precipitation,
    fog: w.fog ?? base.fog,
    wetness: w.wetness ?? base.wetness,
    sunAltitude: w.sunAltitude ?? base.sunAltitude,
  };
}

export const spawnSchema = z.object({
  /** A lane id of the map; omitted means the map's default ego spawn. */
  laneId: z.string().min(1).max(100).optional(),
  /** Metres along that lane. */
  s: z.number().nonnegative('spawn s must be >= 0').default(0),
});

/**
 * A place on a lane of the scenario's map: the map's lane id (on an OpenDRIVE map
 * "road:section:lane", OpenDRIVE's own road and lane ids) and metres along it in the direction
 * of travel. The server checks on save that the lane exists on that map and s is on it.
 */
export const lanePlaceSchema = z.object({
  laneId: z.string({ error: 'choose a lane' }).min(1, 'choose a lane').max(100),
  s: z.number({ error: 's must be a number' }).nonnegative('s must be >= 0'),
});
export type LanePlace = z.infer<typeof lanePlaceSchema>;

export const egoSchema = z
  .object({
    blueprint: z
      .enum(vehicleBlueprints, { error: `ego blueprint must be one of ${vehicleBlueprints.join(', ')}` })
      .default('vehicle.tesla.model3'),
    spawn: spawnSchema.optional(),
    route: z
      .object({
        /** Length of the route to drive; omitted means what the target speed covers in 80% of the duration. */
        lengthM: z.number().positive('route lengthM must be > 0').optional(),
        /** Preferred manoeuvre at junctions, cycled in order. */
        turns: z.array(z.enum(['straight', 'left', 'right'])).default([]),
        /** Where the route leads: the ego takes the shortest way there, then goes on by `turns`. */
        to: lanePlaceSchema.optional(),
      })
      .prefault({}),
    /** m/s */
    targetSpeed: z
      .number()
      .min(0, 'ego targetSpeed must be >= 0 m/s')
      .max(70, 'ego targetSpeed must be <= 70 m/s')
      .default(25),
    driver: z
      .enum(driverProfiles, { error: `driver profile must be one of ${driverProfiles.join(', ')}` })
      .default('normal'),
  })
  .prefault({});

export const trafficSchema = z
  .object({
    vehicles: z
      .number()
      .int('traffic vehicles must be an integer')
      .min(0)
      .max(200, 'at most 200 traffic vehicles')
      .default(10),
    pedestrians: z
      .number()
      .int('traffic pedestrians must be an integer')
      .min(0)
      .max(200, 'at most 200 pedestrians')
      .default(0),
    aggressiveness: unit('traffic aggressiveness').default(0.3),
    /** Traffic vehicles placed by hand: npc-0, npc-1, … start here; the rest are placed by the seed. */
    placed: z.array(lanePlaceSchema).max(200, 'at most 200 placed vehicles').default([]),
  })
  .prefault({});

export const sensorNoiseSchema = z
  .object({
    /** Standard deviations, in the unit of each reading. */
    gnssM: z.number().nonnegative().default(1.0),
    speed: z.number().nonnegative().default(0.05),
    accel: z.number().nonnegative().default(0.08),
    yawRate: z.number().nonnegative().default(0.004),
    temperature: z.number().nonnegative().default(0.2),
    pressure: z.number().nonnegative().default(0.5),
    laneOffset: z.number().nonnegative().default(0.03),
    radar: z.number().nonnegative().default(0.15),
  })
  .prefault({});

export const sensorsSchema = z
  .object({
    rateHz: z
      .number()
      .min(10, 'sensor rateHz must be between 10 and 50')
      .max(50, 'sensor rateHz must be between 10 and 50')
      .default(20),
    noise: sensorNoiseSchema,
    /** Probability that any one channel of any one frame is lost. */
    dropoutRate: unit('sensors dropoutRate').default(0),
  })
  .prefault({});

export const faultSchema = z.object({
  type: z.enum(faultTypes, { error: `fault type must be one of ${faultTypes.join(', ')}` }),
  /** 'ego', an NPC index (0-based) or an NPC id such as "npc-3". */
  vehicle: z
    .union([z.literal('ego'), z.number().int().nonnegative(), z.string().regex(/^npc-\d+$/)], {
      error: 'fault vehicle must be "ego", an NPC index or an id like "npc-3"',
    })
    .default('ego'),
  startS: z.number().nonnegative('fault startS must be >= 0').default(10),
  /** Seconds from onset to full severity. */
  rampS: z.number().nonnegative('fault rampS must be >= 0').default(5),
  severity: unit('fault severity').default(0.7),
  /** How long the fault lasts; omitted means until the run ends. */
  durationS: z.number().positive('fault durationS must be > 0').optional(),
  /** Channel of sensor_dropout / sensor_stuck (defaults: gnss / speed). */
  sensor: z.enum(sensorChannels, { error: `fault sensor must be one of ${sensorChannels.join(', ')}` }).optional(),
});
export type FaultSpec = z.infer<typeof faultSchema>;

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'timeOfDay must be HH:MM (24 h)');

export const scenarioSchema = z
  .object({
    name: z.string().max(200).default('Untitled scenario'),
    backend: z.enum(['builtin', 'carla'], { error: 'backend must be builtin or carla' }).default('builtin'),
    map: z.enum(builtinMapIds, { error: `map must be one of ${builtinMapIds.join(', ')}` }).default('highway_ring'),
    weather: weatherSchema,
    timeOfDay: timeOfDay.default('12:00'),
    ego: egoSchema,
    traffic: trafficSchema,
    sensors: sensorsSchema,
    faults: z.array(faultSchema).max(32, 'at most 32 faults').default([]),
    durationS: z.number().positive('durationS must be > 0').max(3600, 'durationS must be at most 3600 s').default(60),
    seed: z
      .number({ error: 'seed must be a number' })
      .int('seed must be an integer')
      .min(0, 'seed must be >= 0')
      .max(2 ** 32 - 1, 'seed must fit in 32 bits')
      .default(1),
    /** Real time × N while running; 'max' runs as fast as the worker can. */
    timeFactor: z
      .union([z.number().min(0.1, 'timeFactor must be >= 0.1'), z.literal('max')], {
        error: "timeFactor must be a number >= 0.1 or 'max'",
      })
      .default(1),
    /**
     * The organisation's OpenDRIVE map (and version) the run drives on; `map` then only names the
     * built-in fallback. Lane ids of such a map read "road:section:lane" (OpenDRIVE ids).
     */
    roadNetwork: z
      .object({
        mapId: z.string().min(1).max(64),
        version: z.number().int().positive(),
        name: z.string().min(1).max(100),
      })
      .optional(),
  })
  .superRefine((s, ctx) => {
    if (s.traffic.placed.length > s.traffic.vehicles)
      ctx.addIssue({
        code: 'custom',
        path: ['traffic', 'placed'],
        message: `${s.traffic.placed.length} vehicles are placed but traffic vehicles is ${s.traffic.vehicles}: raise the count or remove a placement`,
      });
    s.faults.forEach((f, i) => {
      const idx = typeof f.vehicle === 'number' ? f.vehicle : f.vehicle === 'ego' ? -1 : Number(f.vehicle.slice(4));
      if (idx >= s.traffic.vehicles) {
        ctx.addIssue({
          code: 'custom',
          path: ['faults', i, 'vehicle'],
          // The portal words it from params (components/forms/issues.ts); the message is for the API.
          params: { reason: 'no_such_vehicle', vehicles: s.traffic.vehicles },
          message: `fault vehicle ${JSON.stringify(f.vehicle)} does not exist: the scenario has ${s.traffic.vehicles} traffic vehicles (npc-0..npc-${s.traffic.vehicles - 1})`,
        });
      }
      if (f.startS >= s.durationS) {
        ctx.addIssue({
          code: 'custom',
          path: ['faults', i, 'startS'],
          params: { reason: 'fault_after_end', durationS: s.durationS },
          message: `fault startS (${f.startS}) must be before the end of the run (durationS ${s.durationS})`,
        });
      }
    });
  });

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;

/**
 * Scenarios may name the CARLA backend (it is what they are exported for), but no CARLA bridge
 * exists yet: running one must be refused with this message rather than quietly played by the
 * built-in simulator.
 */
export const CARLA_BACKEND_UNAVAILABLE =
  "This scenario asks for backend 'carla', but DriveLab has no CARLA bridge yet, so it cannot run there. " +
  "Set backend to 'builtin' to run it on DriveLab's simulator, or export it as OpenSCENARIO (.xosc) for CARLA ScenarioRunner.";

/** Why a scenario cannot be run, or null when it can. */
export function runRefusal(s: Pick<Scenario, 'backend'>): string | null {
  return s.backend === 'carla' ? CARLA_BACKEND_UNAVAILABLE : null;
}

/** The vehicle id a fault targets, in the form telemetry uses. */
export function faultVehicleId(vehicle: FaultSpec['vehicle']): string {
  if (vehicle === 'ego') return 'ego';
  return typeof vehicle === 'number' ? `npc-${vehicle}` : vehicle;
}

/** One readable line per problem, for API errors and form hints. */
export function formatScenarioError(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(scenario)'}: ${i.message}`).join('; ');
}

/** Presets offered in the portal; each is a full, valid scenario. */
export const scenarioPresets = {
  highway_cruise: scenarioSchema.parse({
    name: 'Highway cruise',
    map: 'highway_ring',
    weather: { preset: 'ClearNoon' },
    ego: { targetSpeed: 30, driver: 'normal' },
    traffic: { vehicles: 19, pedestrians: 0, aggressiveness: 0.3 },
    durationS: 120,
  }),
  urban_rush_hour: scenarioSchema.parse({
    name: 'Urban rush hour',
    map: 'urban_grid',
    weather: { preset: 'CloudySunset' },
    timeOfDay: '17:30',
    ego: { targetSpeed: 13.9, driver: 'normal', route: { turns: ['straight', 'right', 'straight', 'left'] } },
    traffic: { vehicles: 40, pedestrians: 30, aggressiveness: 0.6 },
    durationS: 180,
  }),
  brake_fade_descent: scenarioSchema.parse({
    name: 'Brake fade on a descent',
    map: 'rural_hills',
    weather: { preset: 'ClearSunset' },
    ego: {
      blueprint: 'vehicle.carlamotors.carlacola',
      spawn: { laneId: 'rural:descent', s: 0 },
      targetSpeed: 22,
      driver: 'normal',
    },
    traffic: { vehicles: 6, pedestrians: 4, aggressiveness: 0.2 },
    faults: [{ type: 'brake_fade', vehicle: 'ego', startS: 15, rampS: 20, severity: 0.8 }],
    durationS: 150,
  }),
  sensor_dropout_rain: scenarioSchema.parse({
    name: 'Sensor dropout in rain',
    map: 'highway_ring',
    weather: { preset: 'HardRainNoon' },
    ego: { targetSpeed: 25, driver: 'calm' },
    traffic: { vehicles: 15, pedestrians: 0, aggressiveness: 0.3 },
    sensors: { rateHz: 20, dropoutRate: 0.02 },
    faults: [
      { type: 'sensor_dropout', vehicle: 'ego', sensor: 'radar', startS: 20, rampS: 10, severity: 0.9, durationS: 40 },
      { type: 'sensor_dropout', vehicle: 'ego', sensor: 'lane', startS: 30, rampS: 5, severity: 0.6, durationS: 30 },
    ],
    durationS: 90,
  }),
} satisfies Record<string, Scenario>;
export type ScenarioPresetId = keyof typeof scenarioPresets;
