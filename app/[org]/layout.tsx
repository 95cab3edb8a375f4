import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { OrgTabs } from '~/components/orgs/org-tabs';
import { requireOrgPage } from '~/server/auth/page-org';
import { getPageUser } from '~/server/auth/page-user';
import { ROLE_LABELS } from '~/server/auth/roles';

export const dynamic = 'force-dynamic';

/**
 * Metadata is resolved apart from the layout, so without this an unknown org's 404 would carry the
 * page's own title ("Overview"). notFound() here makes Next use not-found.tsx's metadata instead.
 * Signed-out visitors are left to the layout, which redirects them to sign in.
 */
export async function generateMetadata({ params }: { params: Promise<{ org: string }> }): Promise<Metadata> {
  const { org: slug } = await params;
  const user = await getPageUser();
  if (user && !user.orgs.some((o) => o.slug === slug)) notFound();
  return {};
}

export default async function OrgLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ org: string }>;
}) {
  const { org: slug } = await params;
  const { org } = await requireOrgPage(slug);
  return (
    <>
      <div className="page-header mb-2">
        <div>
          <h1 data-testid="org-name">{org.name}</h1>
          <p>
            /{org.slug} · you are <span className="role-pill">{ROLE_LABELS[org.role]}</span>
          </p>
        </div>
      </div>
      <OrgTabs slug={org.slug} />
      {children}
    </>
  );
}
