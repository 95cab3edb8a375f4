import { JobList } from '~/components/training/job-list';
import { requireOrgPage } from '~/server/auth/page-org';
import { hasRole } from '~/server/auth/roles';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Training' };

export const dynamic = 'force-dynamic';

export default async function TrainingPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: slug } = await params;
  const { org } = await requireOrgPage(slug);
  return <JobList org={org.slug} canRun={hasRole(org.role, 'engineer')} />;
}
