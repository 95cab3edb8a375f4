/**
 * At most `max` rows of `rows` (sorted by x) to draw. Each equal-count bucket keeps, per key, its
 * lowest and highest row, so spikes survive; the first and last rows are always kept, so the
 * chart's extent (and the last value) stay exact. Shorter inputs come back as they are. SVG charts
 * redraw every point on each live refresh: a few hundred per chart keeps the page responsive while
 * minutes of history and 20 Hz frames are shown. Pure.
 */
export function downsampleMinMax<T extends object>(rows: readonly T[], keys: readonly (keyof T)[], max: number): T[] {
  const perBucket = 2 * Math.max(1, keys.length);
  const buckets = Math.floor((max - 2) / perBucket);
  if (rows.length <= max || buckets < 1) return [...rows];
  const inner = rows.length - 2;
  const out: T[] = [rows[0]!];
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * inner) / buckets);
    const end = 1 + Math.floor(((b + 1) * inner) / buckets);
    const picked = new Set<number>();
    for (const key of keys) {
      let lo = -1;
      let hi = -1;
      for (let i = start; i < end; i++) {
        const v = rows[i]![key];
        if (typeof v !== 'number' || !Number.isFinite(v)) continue;
        if (lo < 0 || v < (rows[lo]![key] as number)) lo = i;
        if (hi < 0 || v > (rows[hi]![key] as number)) hi = i;
      }
      if (lo >= 0) picked.add(lo).add(hi);
    }
    // A bucket without values stays a gap rather than disappearing.
    if (picked.size === 0 && start < end) picked.add(start);
    for (const i of [...picked].sort((a, b) => a - b)) out.push(rows[i]!);
  }
  out.push(rows[rows.length - 1]!);
  return out;
}
