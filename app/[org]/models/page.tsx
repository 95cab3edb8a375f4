import { ModelList } from '~/components/models/model-list';
import { ModelUpload } from '~/components/models/model-upload';
import { requireOrgPage } from '~/server/auth/page-org';
import { hasRole } from '~/server/auth/roles';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Models' };

export const dynamic = 'force-dynamic';

export default async function ModelsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: slug } = await params;
  const { org } = await requireOrgPage(slug);
  return (
    <>
      <ModelList org={org.slug} />
      {hasRole(org.role, 'engineer') && (
        <div className="mt-4">
          <ModelUpload org={org.slug} />
        </div>
      )}
    </>
  );
}
