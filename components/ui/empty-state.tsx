import type { ReactNode } from 'react';
import { cx } from './cx';

/** What a list or panel shows when it has nothing yet: a short line, and what to do about it. */
export function EmptyState({
  title,
  children,
  action,
  compact,
  testId,
}: {
  title?: ReactNode;
  children?: ReactNode;
  action?: ReactNode;
  compact?: boolean;
  testId?: string;
}) {
  return (
    <div className={cx('empty', compact && 'empty-compact')} data-testid={testId}>
      {title && <div className="empty-title">{title}</div>}
      {children}
      {action && <div className="empty-action">{action}</div>}
    </div>
  );
}
