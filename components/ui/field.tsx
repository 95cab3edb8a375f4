'use client';

import { useId, type InputHTMLAttributes, type ReactNode, type TextareaHTMLAttributes } from 'react';
import { cx } from './cx';

/** Widths of inputs, from the token scale (see .w-* in globals.css). */
export type ControlWidth = '3xs' | '2xs' | 'xs' | 'sm' | 'md' | 'lg' | 'full';

export const widthClass = (w: ControlWidth | undefined) => (w ? `w-${w}` : undefined);

type ControlProps = { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean };

/**
 * A labelled form control with an optional hint and error (the error replaces the hint).
 * Two ways to pass the control:
 *   <Field label="Name" hint="…"><Input … /></Field>            the label wraps the control;
 *   <Field label="Name" error={e}>{(p) => <Input {...p} … />}</Field>  explicit id, and the
 *   hint and error are wired to the control with aria-describedby / aria-invalid.
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
  children: ReactNode | ((control: ControlProps) => ReactNode);
}) {
  const id = useId();
  const noteId = `${id}-note`;
  const note = error ? (
    <span id={noteId} className="field-error">
      {error}
    </span>
  ) : hint ? (
    <span id={noteId} className="field-hint">
      {hint}
    </span>
  ) : null;
  if (typeof children !== 'function') {
    return (
      <div className={cx('field', className)}>
        <label>
          {label}
          {children}
        </label>
        {note}
      </div>
    );
  }
  return (
    <div className={cx('field', className)}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': note ? noteId : undefined, 'aria-invalid': error ? true : undefined })}
      {note}
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
