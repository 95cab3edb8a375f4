import { ModelList } from '~/components/models/model-list';
import { requireOrgPage } from '~/server/auth/page-org';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Models' };

export const dynamic = 'force-dynamic';

export default async function ModelsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: slug } = await params;
  const { org } = await requireOrgPage(slug);
  return <ModelList org={org.slug} />;
}
