import type { ReactNode } from 'react';
import { cx } from './cx';

/** A labelled headline number ("Driving score 87.5"), with an optional unit and hint. */
export function Stat({
  label,
  value,
  unit,
  hint,
  tone,
  testId,
  card = true,
}: {
  label: ReactNode;
  value: ReactNode;
  unit?: string;
  hint?: ReactNode;
  tone?: 'ok' | 'bad' | 'warn';
  testId?: string;
  /** Drawn as its own card (default) or bare inside another panel. */
  card?: boolean;
}) {
  return (
    <div className={cx('kpi', card && 'card', tone && `text-${tone}`)} data-testid={testId}>
      <div className="label">{label}</div>
      <div className="value">
        {value}
        {unit && <small>{unit}</small>}
      </div>
      {hint && <div className="hint">{hint}</div>}
    </div>
  );
}

/** A responsive grid of Stats. */
export function StatGrid({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <div className="kpi-grid" data-testid={testId}>
      {children}
    </div>
  );
}
