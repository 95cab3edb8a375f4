import { ModelView } from '~/components/models/model-view';
import { requireOrgPage } from '~/server/auth/page-org';
import { hasRole } from '~/server/auth/roles';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Model' };

export const dynamic = 'force-dynamic';

export default async function ModelPage({ params }: { params: Promise<{ org: string; id: string }> }) {
  const { org: slug, id } = await params;
  const { org } = await requireOrgPage(slug);
  return (
    <ModelView org={org.slug} id={id} canMove={hasRole(org.role, 'engineer')} canDeploy={hasRole(org.role, 'admin')} />
  );
}
