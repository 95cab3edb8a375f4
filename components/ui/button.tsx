import { useId, type AnchorHTMLAttributes, type ButtonHTMLAttributes, type ReactNode } from 'react';
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

/**
 * A button; `type` defaults to "button" so it never submits a form by accident. A disabled button
 * with a `disabledReason` says why next to itself (and to screen readers via aria-describedby),
 * instead of leaving the user to guess.
 */
export function Button({
  variant,
  size,
  className,
  type = 'button',
  disabledReason,
  ...rest
}: ButtonLook & { disabledReason?: ReactNode } & ButtonHTMLAttributes<HTMLButtonElement>) {
  const id = useId();
  const why = rest.disabled && disabledReason ? disabledReason : null;
  const button = (
    <button
      type={type}
      className={buttonClass({ variant, size }, className)}
      aria-describedby={why ? `${id}-why` : undefined}
      {...rest}
    />
  );
  if (!why) return button;
  return (
    <span className="btn-with-reason">
      {button}
      <span id={`${id}-why`} className="disabled-reason" data-testid="disabled-reason">
        {why}
      </span>
    </span>
  );
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
