'use client';

import { useId, type InputHTMLAttributes, type ReactNode, type TextareaHTMLAttributes } from 'react';
import { cx } from './cx';

/** Widths of inputs, from the token scale (see .w-* in globals.css). */
export type ControlWidth = '3xs' | '2xs' | 'xs' | 'sm' | 'md' | 'lg' | 'full';

export const widthClass = (w: ControlWidth | undefined) => (w ? `w-${w}` : undefined);

/**
 * A labelled form control with an optional hint and error. `children` gets the control's id and
 * the ids that describe it, so the label, hint and error are wired for screen readers:
 *   <Field label="Name" error={err}>{(p) => <Input {...p} value={…} />}</Field>
 */
export function Field({
  label,
  hint,
  error,
  className,
  children,
}: {
  label: ReactNode;
  hint?: ReactNode;
  error?: ReactNode;
  className?: string;
  children: (control: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={cx('field', className)}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined })}
      {hint && (
        <span id={hintId} className="field-hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={errorId} className="field-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/** A text-like input with the kit's look; `width` picks a token width. */
export function Input({ width, className, ...rest }: { width?: ControlWidth } & InputHTMLAttributes<HTMLInputElement>) {
  return <input className={cx('input', widthClass(width), className)} {...rest} />;
}

export function Textarea({ className, ...rest }: TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return <textarea className={cx('input', 'textarea', className)} {...rest} />;
}
