import { TrainingForm } from '~/components/training/training-form';
import { notFound } from 'next/navigation';
import { requireOrgPage } from '~/server/auth/page-org';
import { hasRole } from '~/server/auth/roles';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'New training job' };

export const dynamic = 'force-dynamic';

export default async function NewTrainingPage({
  params,
  searchParams,
}: {
  params: Promise<{ org: string }>;
  searchParams: Promise<{ version?: string }>;
}) {
  const { org: slug } = await params;
  const { version } = await searchParams;
  const { org } = await requireOrgPage(slug);
  if (!hasRole(org.role, 'engineer')) notFound();
  return <TrainingForm org={org.slug} initialVersionId={version} />;
}
