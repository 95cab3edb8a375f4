'use client';

import { useRef, type ReactNode } from 'react';
import { cx } from './cx';

export interface TabItem {
  key: string;
  label: ReactNode;
  /** Tabs with an href navigate; without one they call onSelect (in-page panels). */
  href?: string;
}

/**
 * A row of tabs; the current one is marked with aria-current (links) or aria-selected (buttons).
 * On narrow screens (see .tabs-menu in globals.css) the row gives way to a disclosure menu that
 * names the current tab, so eleven tabs never push the page wider than a phone.
 */
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
  const menu = useRef<HTMLDetailsElement>(null);
  const currentLabel = items.find((t) => t.key === current)?.label ?? label;
  const select = (key: string) => {
    menu.current?.removeAttribute('open');
    onSelect?.(key);
  };
  return (
    <>
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
      <details className="tabs-menu" ref={menu} data-testid="tabs-menu">
        {/* Named by its text, not aria-label: a name that hides the visible tab name fails
            WCAG 2.5.3 (label in name) for speech users who say what they see. */}
        <summary>
          <span className="sr-only">{label} menu: </span>
          <span className="tabs-menu-current">{currentLabel}</span>
          <span aria-hidden>☰</span>
        </summary>
        <ul>
          {items.map((t) => (
            <li key={t.key}>
              {t.href ? (
                <a href={t.href} aria-current={t.key === current ? 'page' : undefined}>
                  {t.label}
                </a>
              ) : (
                <button type="button" aria-pressed={t.key === current} onClick={() => select(t.key)}>
                  {t.label}
                </button>
              )}
            </li>
          ))}
        </ul>
      </details>
    </>
  );
}
