import { headers } from 'next/headers';
import { ApiReference } from '~/components/api/api-reference';
import { requireOrgPage } from '~/server/auth/page-org';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'API' };

export const dynamic = 'force-dynamic';

export default async function ApiPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: slug } = await params;
  await requireOrgPage(slug);
  const h = await headers();
  const origin = `${h.get('x-forwarded-proto') ?? 'http'}://${h.get('host') ?? 'localhost:3000'}`;
  return <ApiReference origin={origin} />;
}
