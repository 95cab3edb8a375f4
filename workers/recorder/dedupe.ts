import type { SimEvent } from '~/server/contracts/events';

/**
 * At-least-once delivery (producer retries, a replay after a crash or rebalance) can bring a frame
 * twice; a recording keeps each (vehicleId, seq) once, and each distinct event once.
 */
export class FrameDeduper {
  readonly #seen = new Map<string, Set<number>>();

  /** True the first time (vehicleId, seq) is offered. */
  accept(vehicleId: string, seq: number): boolean {
    let seqs = this.#seen.get(vehicleId);
    if (!seqs) this.#seen.set(vehicleId, (seqs = new Set()));
    if (seqs.has(seq)) return false;
    seqs.add(seq);
    return true;
  }
}

/** Events carry no id: the whole event is its identity (same type, vehicle, time, data, ts). */
export function eventIdentity(e: SimEvent): string {
  return JSON.stringify([e.type, e.vehicleId, e.t, e.ts, e.data]);
}
