'use client';

import { useState, type ReactNode } from 'react';
import { Button, type ButtonVariant } from './button';
import { Dialog } from './dialog';

/**
 * A button that asks before it acts (remove, revoke, delete): it opens a Dialog and runs
 * `onConfirm` only on the dialog's confirm button. Replaces window.confirm, which tests and
 * screen readers handle badly and which cannot be styled.
 */
export function ConfirmButton({
  children,
  title,
  message,
  confirmLabel,
  onConfirm,
  variant = 'danger',
  size,
  disabled,
  className,
}: {
  children: ReactNode;
  title: ReactNode;
  message?: ReactNode;
  confirmLabel: string;
  onConfirm: () => void | Promise<void>;
  variant?: ButtonVariant;
  size?: 'md' | 'sm';
  disabled?: boolean;
  className?: string;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant={variant} size={size} disabled={disabled} className={className} onClick={() => setOpen(true)}>
        {children}
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title={title}
        footer={
          <>
            <Button onClick={() => setOpen(false)}>Keep</Button>
            <Button
              variant="danger"
              onClick={() => {
                setOpen(false);
                void onConfirm();
              }}
            >
              {confirmLabel}
            </Button>
          </>
        }
      >
        {message}
      </Dialog>
    </>
  );
}
