import { notFound } from 'next/navigation';
import { ScenarioEditor } from '~/components/scenarios/scenario-editor';
import { scenarioSchema } from '~/server/contracts/scenario';
import { requireOrgPage } from '~/server/auth/page-org';
import { hasRole } from '~/server/auth/roles';
import { db } from '~/server/db';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Scenario' };

export const dynamic = 'force-dynamic';

export default async function ScenarioPage({ params }: { params: Promise<{ org: string; id: string }> }) {
  const { org: slug, id } = await params;
  const { org } = await requireOrgPage(slug);
  const scenario = await db.scenario.findFirst({
    where: { id, orgId: org.id },
    include: { versions: { orderBy: { version: 'desc' }, take: 1 } },
  });
  if (!scenario || !scenario.versions[0]) notFound();
  return (
    <>
      <p className="muted text-sm mt-0">
        <a href={`/${org.slug}/scenarios`}>Scenarios</a> / version {scenario.latestVersion}
        {scenario.archivedAt ? ' · archived' : ''} · editing saves a new version; runs keep theirs.
      </p>
      <ScenarioEditor
        key={scenario.latestVersion}
        org={org.slug}
        scenarioId={scenario.id}
        initial={scenarioSchema.parse(scenario.versions[0].spec)}
        canEdit={hasRole(org.role, 'engineer') && !scenario.archivedAt}
      />
    </>
  );
}
