import type { PrismaClient, ScenarioVersion } from '@prisma/client';
import { AppError } from '../errors';

/**
 * One version of an organisation's scenario (the latest when `version` is omitted), or NOT_FOUND:
 * another organisation's scenario is indistinguishable from a missing one.
 */
export async function findScenarioVersion(
  db: PrismaClient,
  orgId: string,
  scenarioId: string,
  version?: number,
): Promise<{ scenario: { id: string; name: string; latestVersion: number }; version: ScenarioVersion }> {
  const scenario = await db.scenario.findFirst({
    where: { id: scenarioId, orgId },
    select: { id: true, name: true, latestVersion: true },
  });
  if (!scenario) throw new AppError('NOT_FOUND', 'Scenario not found');
  const found = await db.scenarioVersion.findUnique({
    where: { scenarioId_version: { scenarioId: scenario.id, version: version ?? scenario.latestVersion } },
  });
  if (!found) throw new AppError('NOT_FOUND', 'Scenario version not found');
  return { scenario, version: found };
}
