'use client';

import type { ReactNode } from 'react';
import { cx } from './cx';

export interface TabItem {
  key: string;
  label: ReactNode;
  /** Tabs with an href navigate; without one they call onSelect (in-page panels). */
  href?: string;
}

/** A row of tabs; the current one is marked with aria-current (links) or aria-selected (buttons). */
export function Tabs({
  items,
  current,
  onSelect,
  label,
  className,
}: {
  items: readonly TabItem[];
  current: string;
  onSelect?: (key: string) => void;
  label: string;
  className?: string;
}) {
  const links = items.every((t) => t.href);
  return (
    <nav className={cx('tabs', className)} aria-label={label} role={links ? undefined : 'tablist'}>
      {items.map((t) =>
        t.href ? (
          <a key={t.key} href={t.href} aria-current={t.key === current ? 'page' : undefined}>
            {t.label}
          </a>
        ) : (
          <button
            key={t.key}
            type="button"
            role="tab"
            aria-selected={t.key === current}
            onClick={() => onSelect?.(t.key)}
          >
            {t.label}
          </button>
        ),
      )}
    </nav>
  );
}
