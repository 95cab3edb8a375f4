import { RunList } from '~/components/runs/run-list';
import { requireOrgPage } from '~/server/auth/page-org';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Runs' };

export const dynamic = 'force-dynamic';

export default async function RunsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: slug } = await params;
  const { org } = await requireOrgPage(slug);
  return <RunList org={org.slug} />;
}
