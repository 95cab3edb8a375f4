import { CampaignView } from '~/components/campaigns/campaign-view';
import { requireOrgPage } from '~/server/auth/page-org';
import { hasRole } from '~/server/auth/roles';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Campaign' };

export const dynamic = 'force-dynamic';

export default async function CampaignPage({ params }: { params: Promise<{ org: string; id: string }> }) {
  const { org: slug, id } = await params;
  const { org } = await requireOrgPage(slug);
  return <CampaignView org={org.slug} id={id} canRun={hasRole(org.role, 'engineer')} />;
}
