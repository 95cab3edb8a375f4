/** Runs a step after every step queued before it; a failed step does not stop the ones after. */
export type Serial = <T>(fn: () => Promise<T> | T) => Promise<T>;

/**
 * One step at a time over shared state (a window operator, a session registry): the steps of a
 * worker come from several callbacks (consumer batches, a timer, another consumer) that must not
 * interleave.
 */
export function serialQueue(): Serial {
  let chain: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T> | T): Promise<T> => {
    const p = chain.then(fn);
    chain = p.catch(() => undefined);
    return p;
  };
}

/**
 * A processing-time tick: step every intervalMs, skipped while the previous one still runs or
 * while halted() holds. Returns the function that stops it.
 */
export function startTicker(
  intervalMs: number,
  step: () => Promise<void>,
  halted: () => boolean,
  onError: (err: unknown) => void,
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running || halted()) return;
    running = true;
    step()
      .catch(onError)
      .finally(() => (running = false));
  }, intervalMs);
  return () => clearInterval(timer);
}
