import { describe, expect, it } from 'vitest';
import type { AlertMessage } from '~/server/contracts/predictions';
import { AlertOutbox } from '~/workers/inference/alert-outbox';
import { alertId } from '~/workers/inference/alerts';

function alert(vehicleId: string, windowStart: number): AlertMessage {
  return {
    v: 1,
    id: alertId('run', vehicleId, 'mv', windowStart),
    orgId: 'org',
    runId: 'run',
    vehicleId,
    modelId: 'm',
    modelName: 'wear',
    modelVersionId: 'mv',
    alias: 'production',
    windowStart,
    windowEnd: windowStart + 1,
    score: 0.9,
    threshold: 0.5,
    k: 3,
    n: 5,
    at: 0,
  };
}

const ids = (alerts: AlertMessage[]) => alerts.map((a) => a.id);

describe('alert outbox (the inference worker writes alerts through it)', () => {
  it('writes each pending alert once, in order, and is empty after a successful flush', async () => {
    const box = new AlertOutbox();
    const a = alert('ego', 7);
    const b = alert('ego', 21);
    const c = alert('npc-1', 7);
    box.add([a, b]);
    // A retried batch raises the same alert again: same id, held once.
    box.add([alert('ego', 7), c]);
    const writes: AlertMessage[][] = [];
    const sent = await box.flush(async (list) => void writes.push(list));
    expect(writes.map(ids)).toEqual([ids([a, b, c])]);
    expect(ids(sent)).toEqual(ids([a, b, c]));
    expect(box.size).toBe(0);
    expect(await box.flush(async (list) => void writes.push(list))).toEqual([]);
    expect(writes).toHaveLength(1);
  });

  it('keeps alerts that failed to be written, and writes them with the next ones', async () => {
    const box = new AlertOutbox();
    const a = alert('ego', 7);
    box.add([a]);
    await expect(
      box.flush(async () => {
        // Something added while the write is under way is kept too.
        box.add([alert('npc-1', 3)]);
        throw new Error('broker down');
      }),
    ).rejects.toThrow('broker down');
    expect(box.size).toBe(2);

    const b = alert('ego', 21);
    box.add([b]);
    const writes: AlertMessage[][] = [];
    await box.flush(async (list) => void writes.push(list));
    expect(writes.map(ids)).toEqual([ids([a, alert('npc-1', 3), b])]);
    expect(box.size).toBe(0);
  });
});
