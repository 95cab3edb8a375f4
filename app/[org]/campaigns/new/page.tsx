import { notFound } from 'next/navigation';
import { CampaignForm } from '~/components/campaigns/campaign-form';
import { requireOrgPage } from '~/server/auth/page-org';
import { hasRole } from '~/server/auth/roles';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'New campaign' };

export const dynamic = 'force-dynamic';

export default async function NewCampaignPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: slug } = await params;
  const { org } = await requireOrgPage(slug);
  if (!hasRole(org.role, 'engineer')) notFound();
  return <CampaignForm org={org.slug} />;
}
