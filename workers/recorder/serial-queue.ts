/**
 * Runs async tasks one at a time, in order. McapWriter calls must never overlap, and the periodic
 * close/commit pass must not interleave with a message being written, so both go through one queue.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(task, task);
    // A failed task must not poison the tasks after it; its caller still sees the rejection.
    this.#tail = next.catch(() => undefined);
    return next;
  }
}
