import type { ReactNode } from 'react';
import { cx } from './cx';

/**
 * A labelled headline number ("Driving score 87.5"), with an optional unit and hint. `testId`
 * marks the value itself, which is what tests read.
 */
export function Stat({
  label,
  value,
  unit,
  hint,
  tone,
  small,
  testId,
  card = false,
}: {
  label: ReactNode;
  value: ReactNode;
  unit?: string;
  hint?: ReactNode;
  /** Colours the value: a count of failures in red, say. */
  tone?: 'ok' | 'bad' | 'warn';
  /** A smaller value, for words rather than numbers. */
  small?: boolean;
  testId?: string;
  /** Drawn as its own card, or bare inside another panel (default). */
  card?: boolean;
}) {
  return (
    <div className={cx('kpi', card && 'card')}>
      <div className="label">{label}</div>
      <div className={cx('value', small && 'text-lg', tone && `text-${tone}`)} data-testid={testId}>
        {value}
        {unit && <small>{unit}</small>}
      </div>
      {hint && <div className="hint">{hint}</div>}
    </div>
  );
}

/** A responsive grid of Stats. */
export function StatGrid({ children, className }: { children: ReactNode; className?: string }) {
  return <div className={cx('kpi-grid', className)}>{children}</div>;
}
