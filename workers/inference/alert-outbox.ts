import type { AlertMessage } from '~/server/contracts/predictions';

/**
 * Alerts waiting to be written (the Alert table and dl.alerts). The debouncer fires an alert only
 * once, so one that fails to be written must not be lost: it stays here until a flush succeeds.
 * Keyed by the alert's deterministic id, so an alert raised again by a retried batch is held once.
 */
export class AlertOutbox {
  private pending = new Map<string, AlertMessage>();

  get size(): number {
    return this.pending.size;
  }

  add(alerts: readonly AlertMessage[]): void {
    for (const a of alerts) this.pending.set(a.id, a);
  }

  /**
   * Hands every pending alert to `write` and forgets them once it resolves; returns what was
   * written. When `write` throws they stay pending (ahead of any added meanwhile) and it rethrows.
   */
  async flush(write: (alerts: AlertMessage[]) => Promise<void>): Promise<AlertMessage[]> {
    if (this.pending.size === 0) return [];
    const sending = this.pending;
    this.pending = new Map();
    const list = [...sending.values()];
    try {
      await write(list);
    } catch (err) {
      for (const [id, a] of this.pending) if (!sending.has(id)) sending.set(id, a);
      this.pending = sending;
      throw err;
    }
    return list;
  }
}
