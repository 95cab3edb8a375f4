import type { ReactNode } from 'react';
import { ButtonLink } from './button';

/**
 * A page-level "not found" (or "cannot load") panel inside the portal layout: what is missing, in
 * words, and a way back. Used by app/not-found.tsx and by detail views whose record is unknown.
 */
export function NotFoundPanel({
  title,
  children,
  backHref,
  backLabel,
}: {
  title: string;
  children?: ReactNode;
  backHref: string;
  backLabel: string;
}) {
  return (
    <section className="card not-found" data-testid="not-found">
      <h2>{title}</h2>
      {children && <p className="muted">{children}</p>}
      <ButtonLink variant="primary" href={backHref}>
        {backLabel}
      </ButtonLink>
    </section>
  );
}

/** A failed detail query: NOT_FOUND as a not-found panel, anything else as its message, both with a way back. */
export function QueryError({
  error,
  what,
  backHref,
  backLabel,
}: {
  error: { message: string; data?: { code?: string } | null };
  what: string;
  backHref: string;
  backLabel: string;
}) {
  const missing = error.data?.code === 'NOT_FOUND';
  return (
    <NotFoundPanel
      title={missing ? `This ${what} does not exist` : `This ${what} could not be loaded`}
      backHref={backHref}
      backLabel={backLabel}
    >
      {missing
        ? `It may have been deleted, the link may be mistyped, or it belongs to an organization you are not in.`
        : error.message}
    </NotFoundPanel>
  );
}
