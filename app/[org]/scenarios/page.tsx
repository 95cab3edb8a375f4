import { ScenarioList } from '~/components/scenarios/scenario-list';
import { requireOrgPage } from '~/server/auth/page-org';
import { hasRole } from '~/server/auth/roles';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Scenarios' };

export const dynamic = 'force-dynamic';

export default async function ScenariosPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: slug } = await params;
  const { org } = await requireOrgPage(slug);
  return <ScenarioList org={org.slug} canEdit={hasRole(org.role, 'engineer')} />;
}
