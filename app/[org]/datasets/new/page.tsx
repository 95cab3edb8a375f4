import { DatasetCreate } from '~/components/datasets/dataset-create';
import { notFound } from 'next/navigation';
import { requireOrgPage } from '~/server/auth/page-org';
import { hasRole } from '~/server/auth/roles';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'New dataset' };

export const dynamic = 'force-dynamic';

export default async function NewDatasetPage({
  params,
  searchParams,
}: {
  params: Promise<{ org: string }>;
  searchParams: Promise<{ source?: string }>;
}) {
  const { org: slug } = await params;
  const { source } = await searchParams;
  const { org } = await requireOrgPage(slug);
  if (!hasRole(org.role, 'engineer')) notFound();
  return <DatasetCreate org={org.slug} initialSource={source === 'upload' ? 'upload' : 'runs'} />;
}
