import { DatasetView } from '~/components/datasets/dataset-view';
import { requireOrgPage } from '~/server/auth/page-org';
import { hasRole } from '~/server/auth/roles';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Dataset' };

export const dynamic = 'force-dynamic';

export default async function DatasetPage({ params }: { params: Promise<{ org: string; id: string }> }) {
  const { org: slug, id } = await params;
  const { org } = await requireOrgPage(slug);
  return <DatasetView org={org.slug} id={id} canCreate={hasRole(org.role, 'engineer')} />;
}
