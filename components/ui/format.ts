/** Formatting helpers shared by every domain's components. Pure functions. */

/**
 * How a user reads times: UTC (the default, so logs and teammates in other zones agree) or the
 * browser's local zone. Stored per user (User.timeFormat); see components/ui/time.tsx.
 */
export type TimeZoneMode = 'utc' | 'local';
export const TIME_ZONE_MODES: readonly TimeZoneMode[] = ['utc', 'local'];

export interface TimeOptions {
  /** 'utc' (default) or 'local'. */
  zone?: TimeZoneMode;
  /** The IANA zone 'local' means; defaults to the runtime's own (tests pin one). */
  timeZone?: string;
  /** Add seconds: "14:05:09". */
  seconds?: boolean;
}

interface Parts {
  date: string;
  clock: string;
  label: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

function parts(d: Date, opts: TimeOptions): Parts {
  if ((opts.zone ?? 'utc') === 'utc') {
    const iso = d.toISOString();
    return { date: iso.slice(0, 10), clock: iso.slice(11, opts.seconds ? 19 : 16), label: 'UTC' };
  }
  // 24-hour clock and an ISO-ordered date whatever the browser's locale: one format on every page.
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: opts.timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  });
  const p = Object.fromEntries(fmt.formatToParts(d).map((x) => [x.type, x.value]));
  const clock = `${pad(Number(p.hour))}:${p.minute}${opts.seconds ? `:${p.second}` : ''}`;
  return { date: `${p.year}-${p.month}-${p.day}`, clock, label: p.timeZoneName ?? 'local' };
}

const toDate = (d: Date | string | number | null | undefined): Date | null => {
  if (d === null || d === undefined || d === '') return null;
  const date = d instanceof Date ? d : new Date(d);
  return Number.isNaN(date.getTime()) ? null : date;
};

/**
 * A timestamp as "2026-01-31 14:05 UTC" (or "2026-01-31 15:05 GMT+1" in local mode); "—" when
 * missing. The one timestamp format of the portal.
 */
export function formatTime(d: Date | string | number | null | undefined, opts: TimeOptions = {}): string {
  const date = toDate(d);
  if (!date) return '—';
  const p = parts(date, opts);
  return `${p.date} ${p.clock} ${p.label}`;
}

/** A time of day for chart axes and "last check" lines: "14:05:09" (24-hour, no date, no zone). */
export function formatClock(d: Date | string | number | null | undefined, opts: TimeOptions = {}): string {
  const date = toDate(d);
  if (!date) return '—';
  return parts(date, { seconds: true, ...opts }).clock;
}

/** The zone label a page shows once next to clock-only times ("UTC", "GMT+1"). */
export function zoneLabel(opts: TimeOptions = {}, at: Date = new Date()): string {
  return parts(at, opts).label;
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

/**
 * A free-form value (JSON params, event data) as text: strings as they are, numbers and booleans
 * printed, lists joined, anything else as JSON, never "[object Object]". Absent values give `empty`.
 */
export function displayValue(v: unknown, empty = ''): string {
  if (v === undefined || v === null) return empty;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.map((x) => displayValue(x)).join(', ');
  return JSON.stringify(v);
}
