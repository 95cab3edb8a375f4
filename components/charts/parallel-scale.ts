import { displayValue } from '~/components/ui/format';
/**
 * Scales of the parallel-coordinates chart, as pure functions: each axis maps its values to 0..1
 * (0 at the bottom). Numbers get a linear scale, or a log scale when they are all positive and
 * span two orders of magnitude (learning rates); anything else is a category, evenly spaced in
 * first-seen order.
 */

export type AxisScale =
  | { kind: 'linear' | 'log'; min: number; max: number; at: (v: unknown) => number | null }
  | { kind: 'category'; categories: string[]; at: (v: unknown) => number | null };

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const categoryOf = (v: unknown): string => displayValue(v, 'default');

export function axisScale(values: readonly unknown[]): AxisScale {
  const present = values.filter((v) => v !== undefined && v !== null);
  if (present.length > 0 && present.every(isNum)) {
    const nums = present;
    const min = Math.min(...nums);
    const max = Math.max(...nums);
    const log = min > 0 && max / min >= 100;
    const f = log ? Math.log10 : (x: number) => x;
    const lo = f(min);
    const span = f(max) - lo;
    return {
      kind: log ? 'log' : 'linear',
      min,
      max,
      // One value on the axis sits in the middle rather than at an arbitrary end.
      at: (v) => (isNum(v) ? (span === 0 ? 0.5 : (f(v) - lo) / span) : null),
    };
  }
  const categories = [...new Set(values.map(categoryOf))];
  return {
    kind: 'category',
    categories,
    at: (v) => {
      const i = categories.indexOf(categoryOf(v));
      return i < 0 ? null : categories.length === 1 ? 0.5 : i / (categories.length - 1);
    },
  };
}

/** Tick labels of an axis: its bottom and top (numbers) or every category. */
export function axisTicks(scale: AxisScale, format: (n: number) => string): { at: number; label: string }[] {
  if (scale.kind === 'category') return scale.categories.map((c) => ({ at: scale.at(c)!, label: c }));
  if (scale.min === scale.max) return [{ at: 0.5, label: format(scale.min) }];
  return [
    { at: 0, label: format(scale.min) },
    { at: 1, label: format(scale.max) },
  ];
}
