import type { ReactNode } from 'react';
import { OrgTabs } from '~/components/orgs/org-tabs';
import { requireOrgPage } from '~/server/auth/page-org';
import { ROLE_LABELS } from '~/server/auth/roles';

export const dynamic = 'force-dynamic';

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
