import type { HTMLAttributes, ReactNode } from 'react';
import { cx } from './cx';

/**
 * A panel. `title` and `actions` make a header row; `flush` drops the padding (a table that runs
 * to the edges); `scroll` caps the height and scrolls (long lists and logs).
 */
export function Card({
  title,
  actions,
  flush,
  scroll,
  compact,
  className,
  children,
  ...rest
}: {
  title?: ReactNode;
  actions?: ReactNode;
  flush?: boolean;
  scroll?: 'x' | 'sm' | 'md';
  compact?: boolean;
  children?: ReactNode;
} & Omit<HTMLAttributes<HTMLElement>, 'title'>) {
  return (
    <section
      className={cx(
        'card',
        flush && 'card-flush',
        compact && 'card-compact',
        scroll && `card-scroll-${scroll}`,
        className,
      )}
      {...rest}
    >
      {(title || actions) && (
        <div className="card-head">
          {typeof title === 'string' ? <h2>{title}</h2> : title}
          {actions && <div className="toolbar">{actions}</div>}
        </div>
      )}
      {children}
    </section>
  );
}
