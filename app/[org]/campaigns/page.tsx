import { CampaignList } from '~/components/campaigns/campaign-list';
import { requireOrgPage } from '~/server/auth/page-org';
import { hasRole } from '~/server/auth/roles';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Campaigns' };

export const dynamic = 'force-dynamic';

export default async function CampaignsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: slug } = await params;
  const { org } = await requireOrgPage(slug);
  return <CampaignList org={org.slug} canRun={hasRole(org.role, 'engineer')} />;
}
