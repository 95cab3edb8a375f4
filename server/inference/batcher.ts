/**
 * A micro-batcher in front of one ONNX Runtime session. Queued rows run as one batch when
 * `maxBatch` rows wait, when the first has waited `maxDelayUs`, or as soon as an event-loop turn
 * brings no new submission: waiting longer than that only helps when more requests are about to
 * arrive, and a turn without any says they are not. While `maxConcurrent` runs are in flight the
 * queue keeps filling, so batches grow with load and latency stays bounded. The wait is timed in
 * setImmediate turns (each lets pending I/O in), since timers only resolve milliseconds; turns
 * only repeat while submissions keep arriving, i.e. while the process is busy anyway.
 */
export interface OutputTensor {
  data: ArrayLike<number | boolean | bigint> & {
    subarray?: (a: number, b: number) => unknown;
    slice(a: number, b: number): unknown;
  };
  dims: readonly number[];
}

export type BatchOutputs = Record<string, OutputTensor>;

/** One submission's share of a batch: every output with its first dimension cut to the rows sent. */
export type RowOutputs = Record<string, { data: ArrayLike<number | boolean | bigint>; dims: number[] }>;

export interface BatchStats {
  rows: number;
  items: number;
  /** Per item, µs from submit to the start of its run. */
  queueUs: number[];
  runUs: number;
  ok: boolean;
}

export interface MicroBatcherOptions {
  maxBatch: number;
  maxDelayUs: number;
  /** Values per row (product of the input dims after the batch dim). */
  rowSize: number;
  maxConcurrent?: number;
  run(input: Float32Array, rows: number): Promise<BatchOutputs>;
  onBatch?(stats: BatchStats): void;
}

interface Item {
  data: Float32Array;
  rows: number;
  at: bigint;
  resolve(out: RowOutputs): void;
  reject(err: unknown): void;
}

const nowNs = () => process.hrtime.bigint();

export class MicroBatcher {
  private queue: Item[] = [];
  private queuedRows = 0;
  private inFlight = 0;
  private scheduled = false;
  private arrivals = 0;
  private drainWaiters: (() => void)[] = [];
  private readonly maxConcurrent: number;

  constructor(private readonly o: MicroBatcherOptions) {
    if (!(o.maxBatch >= 1)) throw new Error('maxBatch must be ≥ 1');
    if (!(o.maxDelayUs >= 0)) throw new Error('maxDelayUs must be ≥ 0');
    this.maxConcurrent = Math.max(1, o.maxConcurrent ?? 2);
  }

  /** Rows queued or running; a retired session is released once this is 0. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  submit(data: Float32Array, rows: number): Promise<RowOutputs> {
    if (rows < 1 || data.length !== rows * this.o.rowSize) {
      return Promise.reject(new Error(`expected ${rows} × ${this.o.rowSize} values, got ${data.length}`));
    }
    return new Promise<RowOutputs>((resolve, reject) => {
      this.queue.push({ data, rows, at: nowNs(), resolve, reject });
      this.queuedRows += rows;
      this.arrivals++;
      if (this.queuedRows >= this.o.maxBatch) this.flush();
      else this.schedule();
    });
  }

  /** Resolves when nothing is queued or running. */
  drain(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((ok) => this.drainWaiters.push(ok));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.arrivals = 0;
    setImmediate(() => this.tick());
  }

  private tick(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const waitedUs = Number(nowNs() - this.queue[0]!.at) / 1000;
    if (this.arrivals === 0 || waitedUs >= this.o.maxDelayUs || this.queuedRows >= this.o.maxBatch) this.flush();
    else this.schedule();
  }

  private flush(): void {
    while (this.queue.length > 0 && this.inFlight < this.maxConcurrent) {
      const batch: Item[] = [];
      let rows = 0;
      // A submission is never split; one larger than maxBatch runs on its own.
      while (this.queue.length > 0 && (batch.length === 0 || rows + this.queue[0]!.rows <= this.o.maxBatch)) {
        const item = this.queue.shift()!;
        batch.push(item);
        rows += item.rows;
      }
      this.queuedRows -= rows;
      void this.runBatch(batch, rows);
    }
    // What is left waits for a run to finish (see runBatch), not for another delay.
  }

  private async runBatch(batch: Item[], rows: number): Promise<void> {
    this.inFlight++;
    const start = nowNs();
    let input: Float32Array;
    if (batch.length === 1) input = batch[0]!.data;
    else {
      input = new Float32Array(rows * this.o.rowSize);
      let off = 0;
      for (const it of batch) {
        input.set(it.data, off);
        off += it.data.length;
      }
    }
    let ok = true;
    try {
      const out = await this.o.run(input, rows);
      let row = 0;
      for (const it of batch) {
        it.resolve(sliceRows(out, rows, row, it.rows));
        row += it.rows;
      }
    } catch (err) {
      ok = false;
      for (const it of batch) it.reject(err);
    } finally {
      this.inFlight--;
      this.o.onBatch?.({
        rows,
        items: batch.length,
        queueUs: batch.map((it) => Number(start - it.at) / 1000),
        runUs: Number(nowNs() - start) / 1000,
        ok,
      });
      if (this.queue.length > 0) this.flush();
      if (this.pending === 0 && this.drainWaiters.length > 0) {
        const waiters = this.drainWaiters;
        this.drainWaiters = [];
        for (const w of waiters) w();
      }
    }
  }
}

/** Rows [from, from + count) of every output; views, not copies. */
function sliceRows(out: BatchOutputs, batchRows: number, from: number, count: number): RowOutputs {
  const res: RowOutputs = {};
  for (const [name, t] of Object.entries(out)) {
    const per = t.data.length / batchRows;
    const a = from * per;
    const b = (from + count) * per;
    const data = (typeof t.data.subarray === 'function' ? t.data.subarray(a, b) : t.data.slice(a, b)) as ArrayLike<
      number | boolean | bigint
    >;
    res[name] = { data, dims: [count, ...t.dims.slice(1)] };
  }
  return res;
}
