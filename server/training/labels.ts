import type { FaultInterval } from './materialised';

/**
 * Ground truth from fault events. Labels come only from fault_start/fault_end (as they would from
 * maintenance records), never from telemetry.
 */
export interface FaultEventRow {
  runId: string;
  vehicleId: string | null;
  t: number;
  type: string;
  data: unknown;
}

function faultInfo(data: unknown): { faultType: string; faultIndex: number } | null {
  if (!data || typeof data !== 'object') return null;
  const d = data as { faultType?: unknown; faultIndex?: unknown };
  if (typeof d.faultType !== 'string' || typeof d.faultIndex !== 'number') return null;
  return { faultType: d.faultType, faultIndex: d.faultIndex };
}

/**
 * Pairs fault_start with the fault_end of the same run, vehicle and fault index. A start with no
 * end lasts until the run ended (Infinity); an end with no start is ignored.
 */
export function faultIntervals(events: readonly FaultEventRow[]): FaultInterval[] {
  const open = new Map<string, { segment: string; start: number; faultType: string }>();
  const out: FaultInterval[] = [];
  const sorted = [...events].sort((a, b) => a.t - b.t);
  for (const e of sorted) {
    if ((e.type !== 'fault_start' && e.type !== 'fault_end') || !e.vehicleId) continue;
    const info = faultInfo(e.data);
    if (!info) continue;
    const segment = `${e.runId}/${e.vehicleId}`;
    const key = `${segment}#${info.faultIndex}`;
    if (e.type === 'fault_start') {
      if (!open.has(key)) open.set(key, { segment, start: e.t, faultType: info.faultType });
    } else {
      const s = open.get(key);
      if (s) {
        out.push({ ...s, end: e.t });
        open.delete(key);
      }
    }
  }
  for (const s of open.values()) out.push({ ...s, end: Number.POSITIVE_INFINITY });
  return out.sort((a, b) => a.segment.localeCompare(b.segment) || a.start - b.start);
}

/**
 * The faults a window overlaps: [windowStart, windowEnd) ∩ [start, end) ≠ ∅. A window that ends
 * at or before a fault's onset is normal even if the fault starts right after it (nothing of the
 * fault is in its frames): labels never look into the future.
 */
export function overlappingFaults(
  intervals: readonly FaultInterval[],
  windowStart: number,
  windowEnd: number,
): FaultInterval[] {
  return intervals.filter((f) => windowStart < f.end && windowEnd > f.start);
}

export function intervalsBySegment(intervals: readonly FaultInterval[]): Map<string, FaultInterval[]> {
  const m = new Map<string, FaultInterval[]>();
  for (const f of intervals) {
    let list = m.get(f.segment);
    if (!list) m.set(f.segment, (list = []));
    list.push(f);
  }
  return m;
}
