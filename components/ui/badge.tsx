import type { HTMLAttributes } from 'react';
import { cx } from './cx';

export type BadgeTone = 'ok' | 'bad' | 'wait' | 'info' | 'warn';

/** A status pill with a dot: ok (green), bad (red), wait (grey), info (blue), warn (amber). */
export function Badge({ tone = 'wait', className, ...rest }: { tone?: BadgeTone } & HTMLAttributes<HTMLSpanElement>) {
  return <span className={cx('badge', `badge-${tone}`, className)} {...rest} />;
}

/** The lifecycle state of a run, job, campaign or experiment run (queued → running → completed…). */
export function StateBadge({ state }: { state: string }) {
  return (
    <span className={`state state-${state}`} data-testid="run-state">
      {state}
    </span>
  );
}
