import { z } from 'zod';
import {
  egoSchema,
  faultSchema,
  scenarioSchema,
  sensorsSchema,
  trafficSchema,
  weatherPresetNames,
  type Scenario,
} from '~/server/contracts/scenario';

/**
 * Scenario fields OpenSCENARIO 1.0 cannot express travel as ParameterDeclarations named
 * `DriveLab_*`: ScenarioRunner only substitutes parameters that are referenced with `$name`,
 * which these never are, so CARLA ignores them while DriveLab restores them on import.
 */

export const DRIVELAB_PARAM_PREFIX = 'DriveLab_';

/** Marks a file as written by DriveLab: NPC placement is generated and friction encodes wetness. */
export const EXPORT_FORMAT_PARAM = 'DriveLab_exportFormat';
export const EXPORT_FORMAT = 'drivelab-xosc/1';

export type OscParameterType = 'string' | 'double' | 'integer' | 'unsignedInt' | 'boolean';

export interface DriveLabParameter {
  name: string;
  type: OscParameterType;
  value: string;
}

/** The DriveLab-only part of a scenario, one parameter per concern so each is readable on its own. */
export function driveLabParameters(s: Scenario): DriveLabParameter[] {
  const json = (v: unknown) => JSON.stringify(v);
  return [
    { name: EXPORT_FORMAT_PARAM, type: 'string', value: EXPORT_FORMAT },
    { name: 'DriveLab_backend', type: 'string', value: s.backend },
    { name: 'DriveLab_map', type: 'string', value: s.map },
    { name: 'DriveLab_weatherPreset', type: 'string', value: s.weather.preset },
    { name: 'DriveLab_egoDriver', type: 'string', value: s.ego.driver },
    { name: 'DriveLab_egoRoute', type: 'string', value: json(s.ego.route) },
    ...(s.ego.spawn ? [{ name: 'DriveLab_egoSpawn', type: 'string' as const, value: json(s.ego.spawn) }] : []),
    ...(s.traffic.placed.length
      ? [{ name: 'DriveLab_trafficPlaced', type: 'string' as const, value: json(s.traffic.placed) }]
      : []),
    { name: 'DriveLab_pedestrians', type: 'unsignedInt', value: String(s.traffic.pedestrians) },
    { name: 'DriveLab_trafficAggressiveness', type: 'double', value: String(s.traffic.aggressiveness) },
    { name: 'DriveLab_sensors', type: 'string', value: json(s.sensors) },
    { name: 'DriveLab_faults', type: 'string', value: json(s.faults) },
    { name: 'DriveLab_seed', type: 'unsignedInt', value: String(s.seed) },
    { name: 'DriveLab_timeFactor', type: 'string', value: String(s.timeFactor) },
  ];
}

const fromJson = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((v, ctx) => {
      try {
        return JSON.parse(v) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

const numeric = <T extends z.ZodType<unknown, number>>(schema: T) =>
  z.string().trim().min(1).transform(Number).pipe(schema);

/** How each parameter is read back; a bad value is reported, never half-applied. */
const readers = {
  [EXPORT_FORMAT_PARAM]: z.string(),
  DriveLab_backend: scenarioSchema.shape.backend.unwrap(),
  DriveLab_map: scenarioSchema.shape.map.unwrap(),
  DriveLab_weatherPreset: z.enum(weatherPresetNames),
  DriveLab_egoDriver: egoSchema.unwrap().shape.driver.unwrap(),
  DriveLab_egoRoute: fromJson(egoSchema.unwrap().shape.route.unwrap()),
  DriveLab_egoSpawn: fromJson(egoSchema.unwrap().shape.spawn.unwrap()),
  DriveLab_trafficPlaced: fromJson(trafficSchema.unwrap().shape.placed.unwrap()),
  DriveLab_pedestrians: numeric(trafficSchema.unwrap().shape.pedestrians.unwrap()),
  DriveLab_trafficAggressiveness: numeric(trafficSchema.unwrap().shape.aggressiveness.unwrap()),
  DriveLab_sensors: fromJson(sensorsSchema),
  DriveLab_faults: fromJson(z.array(faultSchema)),
  DriveLab_seed: numeric(scenarioSchema.shape.seed.unwrap()),
  DriveLab_timeFactor: z
    .string()
    .transform((v) => (v === 'max' ? v : Number(v)))
    .pipe(scenarioSchema.shape.timeFactor.unwrap()),
} as const;

export type DriveLabValues = { -readonly [K in keyof typeof readers]?: z.output<(typeof readers)[K]> };

export interface ReadDriveLabResult {
  values: DriveLabValues;
  /** "name: problem" for parameters that are DriveLab's but unreadable or unknown. */
  problems: string[];
}

export function readDriveLabParameters(params: ReadonlyMap<string, string>): ReadDriveLabResult {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, raw] of params) {
    if (!name.startsWith(DRIVELAB_PARAM_PREFIX)) continue;
    const reader = (readers as Record<string, z.ZodType>)[name];
    if (!reader) {
      problems.push(`${name}: unknown DriveLab parameter (written by a newer DriveLab?)`);
      continue;
    }
    const r = reader.safeParse(raw);
    if (r.success) values[name] = r.data;
    else
      problems.push(
        `${name}: ${r.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ')}`,
      );
  }
  return { values: values, problems };
}
