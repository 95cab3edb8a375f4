/**
 * The scenario fields a campaign can sweep, in words and units: the one list that the campaign
 * form offers and the campaign page labels its heatmap axes and columns with. Pure.
 */
import { humanizeKey } from '~/components/forms/issues';

export interface SweepableRange {
  path: string;
  label: string;
  unit?: string;
  min: number;
  max: number;
  integer: boolean;
}
export interface SweepableChoice {
  path: string;
  label: string;
  values: readonly string[];
}
export type Sweepable = SweepableRange | SweepableChoice;

/** Numeric and enum fields of a scenario that a sweep can vary, with sensible ranges. */
export const SWEEPABLE: readonly Sweepable[] = [
  { path: 'traffic.vehicles', label: 'Traffic vehicles', min: 0, max: 60, integer: true },
  { path: 'traffic.pedestrians', label: 'Pedestrians', min: 0, max: 60, integer: true },
  { path: 'traffic.aggressiveness', label: 'Traffic aggressiveness', unit: '0–1', min: 0, max: 1, integer: false },
  { path: 'ego.targetSpeed', label: 'Ego target speed', unit: 'm/s', min: 5, max: 40, integer: false },
  { path: 'sensors.dropoutRate', label: 'Sensor dropout rate', unit: '0–1', min: 0, max: 0.2, integer: false },
  { path: 'seed', label: 'Seed', min: 1, max: 1000, integer: true },
  {
    path: 'weather.preset',
    label: 'Weather preset',
    values: ['ClearNoon', 'CloudyNoon', 'WetNoon', 'HardRainNoon', 'ClearSunset', 'HardRainNight'],
  },
  { path: 'ego.driver', label: 'Driver profile', values: ['calm', 'normal', 'aggressive'] },
  { path: 'map', label: 'Map', values: ['urban_grid', 'highway_ring', 'rural_hills'] },
];

export const sweepable = (path: string): Sweepable | undefined => SWEEPABLE.find((s) => s.path === path);

/** "ego.targetSpeed" → "Ego target speed (m/s)"; an unlisted path reads as words of its last part. */
export function sweepLabel(path: string): string {
  const s = sweepable(path);
  if (!s) return humanizeKey(path.split('.').at(-1) ?? path) ?? path;
  return 'unit' in s && s.unit ? `${s.label} (${s.unit})` : s.label;
}

/** One swept dimension as the form edits it. */
export interface DimDraft {
  path: string;
  min: number;
  max: number;
  integer: boolean;
  values?: string[];
}

export interface CampaignDraft {
  strategy: 'grid' | 'random' | 'lhs';
  runs: number;
  maxConcurrent: number;
  dims: DimDraft[];
}

const withUnit = (n: number, unit?: string) => (unit && unit !== '0–1' ? `${n} ${unit}` : String(n));

const inRange = (
  label: string,
  v: number,
  lo: number,
  hi: number,
  integer: boolean,
  unit?: string,
): string | undefined => {
  if (!Number.isFinite(v)) return `${label} must be a number`;
  if (integer && !Number.isInteger(v)) return `${label} must be a whole number`;
  if (v < lo) return `${label} must be at least ${withUnit(lo, unit)}`;
  if (v > hi) return `${label} can be at most ${withUnit(hi, unit)}`;
  return undefined;
};

/**
 * The campaign form's errors in words, keyed by field: `runs`, `maxConcurrent`, `dims.<i>.min`,
 * `dims.<i>.max`, `dims.<i>.values`, `dims.<i>.path`. Empty when the draft can be sent. The range
 * fields are labelled "From" and "To" next to the parameter's name, so their errors say so.
 */
export function campaignDraftErrors(d: CampaignDraft): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (k: string, e: string | undefined) => {
    if (e) out[k] = e;
  };
  if (d.strategy !== 'grid') put('runs', inRange('Runs', d.runs, 1, 500, true));
  put('maxConcurrent', inRange('At most in parallel', d.maxConcurrent, 1, 32, true));
  const seen = new Set<string>();
  d.dims.forEach((dim, i) => {
    const s = sweepable(dim.path);
    const name = sweepLabel(dim.path);
    if (seen.has(dim.path)) put(`dims.${i}.path`, `${name} is already swept above`);
    seen.add(dim.path);
    if (dim.values) {
      if (dim.values.length === 0) put(`dims.${i}.values`, `List at least one value for ${name}`);
      else if (s && 'values' in s) {
        const bad = dim.values.filter((v) => !s.values.includes(v));
        if (bad.length)
          put(`dims.${i}.values`, `${s.label} can only be ${s.values.join(', ')} (not ${bad.join(', ')})`);
      }
      return;
    }
    const range = s && 'min' in s ? s : undefined;
    const lo = range?.min ?? -Infinity;
    const hi = range?.max ?? Infinity;
    const integer = range?.integer ?? false;
    put(`dims.${i}.min`, inRange('From', dim.min, lo, hi, integer, range?.unit));
    put(`dims.${i}.max`, inRange('To', dim.max, lo, hi, integer, range?.unit));
    if (!out[`dims.${i}.min`] && !out[`dims.${i}.max`] && dim.max <= dim.min)
      put(`dims.${i}.max`, `To must be greater than From (${withUnit(dim.min, range?.unit)})`);
  });
  return out;
}
