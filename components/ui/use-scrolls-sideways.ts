'use client';

import { useEffect, useState, type RefObject } from 'react';

/**
 * Whether the element is narrower than its content (a wide table on a phone). Such a scroller
 * must be focusable so a keyboard can scroll it; one that fits stays out of the tab order.
 */
export function useScrollsSideways(ref: RefObject<HTMLElement | null>): boolean {
  const [scrolls, setScrolls] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setScrolls(el.scrollWidth > el.clientWidth + 1);
    measure();
    // The box resizes with the viewport, its content with the rows that arrive.
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    if (el.firstElementChild) ro.observe(el.firstElementChild);
    return () => ro.disconnect();
  }, [ref]);
  return scrolls;
}
