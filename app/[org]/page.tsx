import { FleetOverview } from '~/components/live/fleet-overview';
import { requireOrgPage } from '~/server/auth/page-org';
import { hasRole } from '~/server/auth/roles';
import { db } from '~/server/db';
import { guideSteps, loadGuideFacts } from '~/server/onboarding/guide';
import { FirstUseGuide } from '~/components/orgs/first-use-guide';
import { Card, EmptyState, SectionTitle, Stat, Table, Time } from '~/components/ui';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Overview' };

export const dynamic = 'force-dynamic';

export default async function OrgOverview({ params }: { params: Promise<{ org: string }> }) {
  const { org: slug } = await params;
  const { org } = await requireOrgPage(slug);
  const [members, keys, invites, recent, facts] = await Promise.all([
    db.membership.count({ where: { orgId: org.id } }),
    db.apiKey.count({ where: { orgId: org.id, revokedAt: null } }),
    db.invite.count({ where: { orgId: org.id, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } } }),
    hasRole(org.role, 'admin')
      ? db.auditLog.findMany({ where: { orgId: org.id }, orderBy: { createdAt: 'desc' }, take: 5 })
      : Promise.resolve([]),
    loadGuideFacts(db, org.id),
  ]);
  const guide = guideSteps(org.slug, facts);
  const guideSection = (
    <>
      <SectionTitle>First steps</SectionTitle>
      <FirstUseGuide steps={guide.steps} next={guide.next} />
    </>
  );
  const admin = hasRole(org.role, 'admin');
  return (
    <>
      {/* Until the path is done it leads the page; afterwards it moves below the fleet. */}
      {guide.next && guideSection}
      <FleetOverview org={org.slug} />
      {!guide.next && guideSection}
      <SectionTitle>Organization</SectionTitle>
      <div className="stat-grid">
        <Stat card label="Members" value={members} testId="stat-members" />
        <Stat card label="Active API keys" value={keys} />
        <Stat card label="Pending invitations" value={invites} />
      </div>
      <SectionTitle>Get started</SectionTitle>
      <Card>
        <table className="kv">
          <tbody>
            <tr>
              <td>Invite your team</td>
              <td>
                {admin ? (
                  <a href={`/${org.slug}/settings?tab=invites`}>Create an invitation link</a>
                ) : (
                  'Ask an admin for an invitation link'
                )}
              </td>
            </tr>
            <tr>
              <td>Automate with the API</td>
              <td>
                {admin ? (
                  <a href={`/${org.slug}/settings?tab=keys`}>Create an API key</a>
                ) : (
                  'Ask an admin for an API key'
                )}{' '}
                for the typed client and REST
              </td>
            </tr>
            <tr>
              <td>Platform health</td>
              <td>
                <a href="/status">System status</a>
              </td>
            </tr>
          </tbody>
        </table>
      </Card>
      {admin && (
        <>
          <SectionTitle>Recent security events</SectionTitle>
          <Card flush>
            {recent.length === 0 ? (
              <EmptyState>Nothing yet.</EmptyState>
            ) : (
              <Table>
                <tbody>
                  {recent.map((e) => (
                    <tr key={e.id}>
                      <td className="muted w-md">
                        <Time value={e.createdAt} seconds />
                      </td>
                      <td>
                        <code>{e.action}</code>
                      </td>
                      <td>{e.actorLabel ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )}
          </Card>
        </>
      )}
    </>
  );
}
