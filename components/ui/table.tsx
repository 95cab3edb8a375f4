'use client';

import { useRef, type HTMLAttributes, type ReactNode, type TdHTMLAttributes, type ThHTMLAttributes } from 'react';
import { cx } from './cx';
import { useMeasured } from './use-measured';

/** Narrower than its content (a wide table on a phone). */
const scrollsSideways = (el: Element) => el.scrollWidth > el.clientWidth + 1;

/**
 * A data table (header row, ruled rows); `compact` tightens the cells. Use with <thead>/<tbody>.
 * The table sits in its own horizontal scroller, so on a phone the first (key) columns stay in
 * view and the rest are a swipe away inside the card instead of widening the whole page.
 */
export function Table({
  compact,
  className,
  children,
  ...rest
}: { compact?: boolean; children: ReactNode } & HTMLAttributes<HTMLTableElement>) {
  const box = useRef<HTMLDivElement>(null);
  const scrolls = useMeasured(box, scrollsSideways, false);
  return (
    // Wider than its card (a phone): focusable, so a keyboard can scroll it sideways.
    <div ref={box} className="table-scroll" {...(scrolls ? { tabIndex: 0 } : {})}>
      <table className={cx('data', compact && 'compact', className)} {...rest}>
        {children}
      </table>
    </div>
  );
}

/** A header cell; `num` right-aligns a numeric column. */
export function Th({ num, className, ...rest }: { num?: boolean } & ThHTMLAttributes<HTMLTableCellElement>) {
  return <th className={cx(num && 'num', className)} {...rest} />;
}

/** A body cell; `num` right-aligns with tabular figures, `mono` for ids and hashes. */
export function Td({
  num,
  mono,
  className,
  ...rest
}: { num?: boolean; mono?: boolean } & TdHTMLAttributes<HTMLTableCellElement>) {
  return <td className={cx(num && 'num', mono && 'mono', className)} {...rest} />;
}
