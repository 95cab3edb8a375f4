import { ServingMonitor } from '~/components/inference/serving-monitor';
import { requireOrgPage } from '~/server/auth/page-org';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Serving' };

export const dynamic = 'force-dynamic';

export default async function ServingPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: slug } = await params;
  const { org } = await requireOrgPage(slug);
  return <ServingMonitor org={org.slug} />;
}
