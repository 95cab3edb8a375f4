import { JobView } from '~/components/training/job-view';
import { requireOrgPage } from '~/server/auth/page-org';
import { hasRole } from '~/server/auth/roles';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Training job' };

export const dynamic = 'force-dynamic';

export default async function TrainingJobPage({ params }: { params: Promise<{ org: string; id: string }> }) {
  const { org: slug, id } = await params;
  const { org } = await requireOrgPage(slug);
  return <JobView org={org.slug} id={id} canRun={hasRole(org.role, 'engineer')} />;
}
