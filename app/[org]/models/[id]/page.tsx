import { MODEL_TABS, ModelTabs } from '~/components/models/model-tabs';
import { requireOrgPage } from '~/server/auth/page-org';
import { hasRole } from '~/server/auth/roles';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Model' };

export const dynamic = 'force-dynamic';

export default async function ModelPage({
  params,
  searchParams,
}: {
  params: Promise<{ org: string; id: string }>;
  searchParams: Promise<{ tab?: string | string[] }>;
}) {
  const { org: slug, id } = await params;
  const { tab } = await searchParams;
  const { org } = await requireOrgPage(slug);
  return (
    <ModelTabs
      org={org.slug}
      id={id}
      tab={MODEL_TABS.find((t) => t === tab) ?? 'overview'}
      canMove={hasRole(org.role, 'engineer')}
      canDeploy={hasRole(org.role, 'admin')}
    />
  );
}
