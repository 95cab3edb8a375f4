import { ExperimentView } from '~/components/experiments/experiment-view';
import { requireOrgPage } from '~/server/auth/page-org';
import { hasRole } from '~/server/auth/roles';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Experiment' };

export const dynamic = 'force-dynamic';

export default async function ExperimentPage({
  params,
  searchParams,
}: {
  params: Promise<{ org: string; id: string }>;
  searchParams: Promise<{ runs?: string }>;
}) {
  const { org: slug, id } = await params;
  const { runs } = await searchParams;
  const { org } = await requireOrgPage(slug);
  return (
    <ExperimentView
      org={org.slug}
      id={id}
      initialRuns={(runs ?? '').split(',').filter(Boolean).slice(0, 8)}
      canEdit={hasRole(org.role, 'engineer')}
    />
  );
}
