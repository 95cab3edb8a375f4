/** Formatting helpers shared by every domain's components. Pure functions. */

/** A timestamp as "2026-01-31 14:05 UTC" (the portal shows UTC everywhere); "—" when missing. */
export function formatTime(d: Date | string | null | undefined): string {
  if (!d) return '—';
  return new Date(d).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/** How long ago, coarsely: "just now", "5 min ago", "3 h ago", "2 d ago"; "never" when missing. */
export function relative(d: Date | string | null | undefined, now = Date.now()): string {
  if (!d) return 'never';
  const s = Math.round((now - new Date(d).getTime()) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** A 0..1 fraction as a whole percentage, clamped: 0.456 → "46%". */
export function formatPercent(fraction: number): string {
  return `${Math.round(Math.min(1, Math.max(0, fraction)) * 100)}%`;
}
