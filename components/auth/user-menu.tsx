'use client';

import { signOut } from 'next-auth/react';
import { usePathname, useRouter } from 'next/navigation';
import { Button } from '~/components/ui';

export function UserMenu({ email, orgs }: { email: string; orgs: { slug: string; name: string }[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const current = orgs.find((o) => pathname === `/${o.slug}` || pathname.startsWith(`/${o.slug}/`))?.slug ?? '';
  return (
    <div className="user-menu">
      {orgs.length > 0 && (
        <select
          className="org-switch"
          aria-label="Switch organization"
          value={current}
          onChange={(e) => router.push(e.target.value ? `/${e.target.value}` : '/orgs')}
        >
          {!current && <option value="">Choose organization…</option>}
          {orgs.map((o) => (
            <option key={o.slug} value={o.slug}>
              {o.name}
            </option>
          ))}
        </select>
      )}
      <span data-testid="signed-in-as">{email}</span>
      <Button size="sm" onClick={() => void signOut({ callbackUrl: '/signin' })}>
        Sign out
      </Button>
    </div>
  );
}
