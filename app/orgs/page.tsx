import { redirect } from 'next/navigation';
import { CreateOrgForm } from '~/components/orgs/create-org-form';
import { getPageUser } from '~/server/auth/page-user';
import { ROLE_LABELS } from '~/server/auth/roles';
import { Card, SectionTitle } from '~/components/ui';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Organizations' };

export const dynamic = 'force-dynamic';

export default async function OrgsPage() {
  const user = await getPageUser();
  if (!user) redirect('/signin?callbackUrl=/orgs');
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Your organizations</h1>
          <p>
            Everything in DriveLab belongs to one organization: scenarios, runs, telemetry, models. You see only the
            ones you are a member of.
          </p>
        </div>
      </div>
      {user.orgs.length === 0 ? (
        <div className="alert alert-info">
          You are not in any organization yet. Create one, or open an invitation link from a colleague.
        </div>
      ) : (
        <div className="org-list" data-testid="org-list">
          {user.orgs.map((o) => (
            <a key={o.id} className="card org-tile" href={`/${o.slug}`} data-testid="org-tile">
              <span className="name">{o.name}</span>
              <span className="muted text-sm">/{o.slug}</span>
              <span>
                <span className="role-pill">{ROLE_LABELS[o.role]}</span>
              </span>
            </a>
          ))}
        </div>
      )}
      <SectionTitle>New organization</SectionTitle>
      <Card>
        <CreateOrgForm />
      </Card>
    </>
  );
}
