import { DatasetList } from '~/components/datasets/dataset-list';
import { requireOrgPage } from '~/server/auth/page-org';
import { hasRole } from '~/server/auth/roles';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Datasets' };

export const dynamic = 'force-dynamic';

export default async function DatasetsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: slug } = await params;
  const { org } = await requireOrgPage(slug);
  return <DatasetList org={org.slug} canCreate={hasRole(org.role, 'engineer')} />;
}
