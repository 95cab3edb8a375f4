import type { SelectHTMLAttributes } from 'react';
import { cx } from './cx';
import { widthClass, type ControlWidth } from './field';

export interface SelectOption {
  value: string;
  label: string;
  disabled?: boolean;
}

/**
 * A native select with the kit's look. Pass `options`, or `<option>` children for groups and
 * special cases.
 */
export function Select({
  options,
  width,
  className,
  children,
  ...rest
}: { options?: readonly SelectOption[]; width?: ControlWidth } & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <select className={cx('input', widthClass(width), className)} {...rest}>
      {options?.map((o) => (
        <option key={o.value} value={o.value} disabled={o.disabled}>
          {o.label}
        </option>
      ))}
      {children}
    </select>
  );
}
