import { Prisma, type PrismaClient } from '@prisma/client';
import type { ChartPoint } from '../contracts/chart-point';
import { FEATURE_SET, type FeatureName } from '../contracts/features';

/**
 * History for a late joiner of a live run, from the offline feature store: one point per closed
 * tumbling window of the vehicle (at the window's end), carrying the window means the live charts
 * plot. Coarser than the live frames (a window, not a frame) but there from the run's first
 * seconds on, for anyone who opens the run later.
 */
export type HistoryPoint = ChartPoint;

const COLUMNS = {
  speed: 'speed_mean',
  accelLon: 'accel_lon_mean',
  accelLat: 'accel_lat_mean',
  engineTemp: 'engine_temp_mean',
  batteryTemp: 'battery_temp_mean',
  brake: 'brake_pressure_mean',
  tyreMin: 'tire_pressure_min',
} as const satisfies Record<Exclude<keyof HistoryPoint, 't'>, FeatureName>;

const index = (name: FeatureName) => FEATURE_SET.names.indexOf(name);

/** A stored window (values aligned with FEATURE_SET v1) as a chart point. Pure. */
export function windowToPoint(w: { windowEnd: number; values: readonly (number | null)[] }): HistoryPoint {
  const point: HistoryPoint = {
    t: w.windowEnd,
    speed: null,
    accelLon: null,
    accelLat: null,
    engineTemp: null,
    batteryTemp: null,
    brake: null,
    tyreMin: null,
  };
  for (const [key, name] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, FeatureName][]) {
    const v = w.values[index(name)];
    point[key] = typeof v === 'number' && Number.isFinite(v) ? v : null;
  }
  return point;
}

/**
 * The last `seconds` of a vehicle's windows in a run of the org, oldest first (at most 2,000).
 * Raw SQL: the values array holds nulls (no data for a feature), which Prisma's Float[] mapping
 * rejects; only the plotted elements are read.
 */
export async function runHistory(
  db: PrismaClient,
  orgId: string,
  runId: string,
  vehicleId: string,
  seconds: number,
): Promise<HistoryPoint[]> {
  const cols = Object.values(COLUMNS).map((name) => index(name) + 1);
  const rows = await db.$queryRaw<{ windowEnd: number; picked: (number | null)[] }[]>`
    WITH w AS (
      SELECT "windowEnd", "values" FROM "FeatureWindow"
      WHERE "orgId" = ${orgId} AND "runId" = ${runId} AND "vehicleId" = ${vehicleId}
        AND kind = 'tumbling' AND "featureSetVersion" = ${FEATURE_SET.version}
    )
    SELECT "windowEnd", ARRAY[${Prisma.join(cols.map((c) => Prisma.sql`"values"[${c}::int]`))}]::float8[] AS picked
    FROM w
    WHERE "windowEnd" >= (SELECT max("windowEnd") FROM w) - ${seconds}
    ORDER BY "windowEnd" ASC
    LIMIT 2000`;
  const full = (picked: (number | null)[]) => {
    const values: (number | null)[] = [];
    Object.values(COLUMNS).forEach((name, i) => (values[index(name)] = picked[i] ?? null));
    return values;
  };
  return rows.map((r) => windowToPoint({ windowEnd: r.windowEnd, values: full(r.picked) }));
}
