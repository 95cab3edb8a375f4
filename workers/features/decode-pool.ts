import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { childLogger } from '~/server/observability/logger';
import { decodeBatch, packValues, type DecodedBatch, type PackedValues } from './decode-batch';

/**
 * Decodes telemetry batches on worker threads. JSON.parse of a frame costs about as much as all
 * the rest of the worker's work on it, so on a machine with a spare core the parsing runs there
 * while the main thread windows the previous batch. With 0 threads (or after a thread died)
 * batches are decoded inline; the result is the same either way.
 */
export interface DecodeRequest {
  id: number;
  packed: PackedValues;
}

export interface DecodeResponse {
  id: number;
  batch?: DecodedBatch;
  error?: string;
}

const log = childLogger('features');

/** The default: one decode thread per core the main thread leaves free, at most two. */
export function spareCores(): number {
  return Math.max(0, Math.min(2, availableParallelism() - 1));
}
const THREAD_ENTRY = new URL('./decode-thread.ts', import.meta.url).href;

interface Waiter {
  resolve: (b: DecodedBatch) => void;
  reject: (e: Error) => void;
  worker: Worker;
}

export class DecodePool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, Waiter>();
  private next = 0;
  private seq = 0;
  private closed = false;

  constructor(threads: number) {
    for (let i = 0; i < threads; i++) this.workers.push(this.spawn());
  }

  get threads(): number {
    return this.workers.length;
  }

  private spawn(): Worker {
    // Worker threads do not inherit tsx's loader (Node 20), so the thread registers it itself.
    const src = THREAD_ENTRY.endsWith('.ts')
      ? `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(THREAD_ENTRY)}); })`
      : `import(${JSON.stringify(THREAD_ENTRY)})`;
    const w = new Worker(src, { eval: true });
    w.on('message', (m: DecodeResponse) => {
      const waiter = this.waiting.get(m.id);
      if (!waiter) return;
      this.waiting.delete(m.id);
      if (m.batch) waiter.resolve(m.batch);
      else waiter.reject(new Error(m.error ?? 'decode thread failed'));
    });
    const lost = (err: unknown) => {
      const i = this.workers.indexOf(w);
      if (i < 0) return;
      this.workers.splice(i, 1);
      if (!this.closed) log.warn({ err, threadsLeft: this.workers.length }, 'decode thread stopped');
      // The caller decodes what it held again (see decode()): nothing is lost.
      for (const [id, waiter] of this.waiting) {
        if (waiter.worker !== w) continue;
        this.waiting.delete(id);
        waiter.reject(new Error('decode thread stopped'));
      }
    };
    w.on('error', lost);
    w.on('exit', (code) => lost(new Error(`decode thread exited with code ${code}`)));
    return w;
  }

  /** Decodes one batch's message values; always resolves (inline when no thread can). */
  async decode(values: readonly (Buffer | null)[]): Promise<DecodedBatch> {
    if (this.workers.length === 0 || values.length === 0) return decodeBatch(values);
    const packed = packValues(values);
    const w = this.workers[this.next++ % this.workers.length]!;
    const id = this.seq++;
    try {
      return await new Promise<DecodedBatch>((resolve, reject) => {
        this.waiting.set(id, { resolve, reject, worker: w });
        const req: DecodeRequest = { id, packed };
        w.postMessage(req, [packed.bytes.buffer, packed.starts.buffer, packed.lengths.buffer] as ArrayBuffer[]);
      });
    } catch {
      return decodeBatch(values);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const ws = this.workers.splice(0);
    await Promise.all(ws.map((w) => w.terminate()));
    for (const waiter of this.waiting.values()) waiter.reject(new Error('decode pool closed'));
    this.waiting.clear();
  }
}
