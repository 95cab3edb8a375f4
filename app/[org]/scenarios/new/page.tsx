import { notFound } from 'next/navigation';
import { ScenarioEditor } from '~/components/scenarios/scenario-editor';
import { scenarioPresets, scenarioSchema, type ScenarioPresetId } from '~/server/contracts/scenario';
import { requireOrgPage } from '~/server/auth/page-org';
import { hasRole } from '~/server/auth/roles';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'New scenario' };

export const dynamic = 'force-dynamic';

export default async function NewScenarioPage({
  params,
  searchParams,
}: {
  params: Promise<{ org: string }>;
  searchParams: Promise<{ preset?: string }>;
}) {
  const { org: slug } = await params;
  const { preset } = await searchParams;
  const { org } = await requireOrgPage(slug);
  if (!hasRole(org.role, 'engineer')) notFound();
  const initial =
    preset && preset in scenarioPresets
      ? scenarioPresets[preset as ScenarioPresetId]
      : scenarioSchema.parse({ name: 'New scenario' });
  return <ScenarioEditor org={org.slug} initial={initial} canEdit />;
}
