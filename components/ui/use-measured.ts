'use client';

import { useEffect, useState, type RefObject } from 'react';

/**
 * A value read off an element, read again whenever the element or its content resizes (the
 * viewport changes, rows arrive). `read` is an effect dependency: pass a module-level function.
 */
export function useMeasured<T>(ref: RefObject<Element | null>, read: (el: Element) => T, initial: T): T {
  const [value, setValue] = useState(initial);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setValue(read(el));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    if (el.firstElementChild) ro.observe(el.firstElementChild);
    return () => ro.disconnect();
  }, [ref, read]);
  return value;
}
