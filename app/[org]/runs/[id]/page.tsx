import { RunView } from '~/components/runs/run-view';
import { requireOrgPage } from '~/server/auth/page-org';
import { hasRole } from '~/server/auth/roles';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Run' };

export const dynamic = 'force-dynamic';

export default async function RunPage({ params }: { params: Promise<{ org: string; id: string }> }) {
  const { org: slug, id } = await params;
  const { org } = await requireOrgPage(slug);
  return <RunView org={org.slug} runId={id} canRun={hasRole(org.role, 'engineer')} />;
}
