import type { HTMLAttributes, ReactNode } from 'react';
import { cx } from './cx';

/** A wrapping row of controls; `justify` spreads them ("between") or pushes them right ("end"). */
export function Toolbar({
  justify,
  className,
  ...rest
}: { justify?: 'between' | 'end' } & HTMLAttributes<HTMLDivElement>) {
  return <div className={cx('toolbar', justify && `justify-${justify}`, className)} {...rest} />;
}

/** The heading of a detail view: a title, a muted line under it, and actions on the right. */
export function DetailHeader({
  title,
  subtitle,
  actions,
  testId,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="detail-header" data-testid={testId}>
      <div className="grow">
        <h2>{title}</h2>
        {subtitle && <div className="detail-sub">{subtitle}</div>}
      </div>
      {actions && <div className="toolbar">{actions}</div>}
    </div>
  );
}

/** An uppercase section heading, optionally with controls on the right. */
export function SectionTitle({ children, actions }: { children: ReactNode; actions?: ReactNode }) {
  if (!actions) return <h3 className="section-title">{children}</h3>;
  return (
    <div className="section-head">
      <h3 className="section-title">{children}</h3>
      <div className="toolbar">{actions}</div>
    </div>
  );
}

/** A coloured message box; errors are announced (role=alert). */
export function Alert({
  tone = 'error',
  children,
  className,
}: {
  tone?: 'error' | 'ok' | 'info';
  children: ReactNode;
  className?: string;
}) {
  return (
    <div className={cx('alert', `alert-${tone}`, className)} role={tone === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
