import type { AnchorHTMLAttributes, ButtonHTMLAttributes } from 'react';
import { cx } from './cx';

export type ButtonVariant = 'default' | 'primary' | 'danger' | 'link';

interface ButtonLook {
  variant?: ButtonVariant;
  size?: 'md' | 'sm';
}

function buttonClass({ variant = 'default', size = 'md' }: ButtonLook, extra?: string): string {
  return cx(
    variant === 'link' ? 'btn-link' : 'btn',
    variant === 'primary' && 'btn-primary',
    variant === 'danger' && 'btn-danger',
    size === 'sm' && 'btn-sm',
    extra,
  );
}

/** A button; `type` defaults to "button" so it never submits a form by accident. */
export function Button({
  variant,
  size,
  className,
  type = 'button',
  ...rest
}: ButtonLook & ButtonHTMLAttributes<HTMLButtonElement>) {
  return <button type={type} className={buttonClass({ variant, size }, className)} {...rest} />;
}

/** A link that looks like a button (navigation, downloads). */
export function ButtonLink({
  variant,
  size,
  className,
  ...rest
}: ButtonLook & AnchorHTMLAttributes<HTMLAnchorElement>) {
  return <a className={buttonClass({ variant, size }, className)} {...rest} />;
}
