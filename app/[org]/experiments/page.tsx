import { ExperimentList } from '~/components/experiments/experiment-list';
import { requireOrgPage } from '~/server/auth/page-org';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Experiments' };

export const dynamic = 'force-dynamic';

export default async function ExperimentsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: slug } = await params;
  const { org } = await requireOrgPage(slug);
  return <ExperimentList org={org.slug} />;
}
