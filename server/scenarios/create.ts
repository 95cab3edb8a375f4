import type { Prisma, PrismaClient } from '@prisma/client';
import type { Scenario } from '../contracts/scenario';

export interface NewScenario {
  orgId: string;
  name: string;
  description: string | null;
  /** A validated spec (scenarioSchema): stored as version 1. */
  spec: Scenario;
  /** Who created it; recorded on the scenario and on its first version alike. */
  createdById: string | null;
}

/**
 * The one way a scenario comes into being: the scenario row and its first version, in one write.
 * Creating, importing, duplicating and seeding all call it, so none of them forgets a field.
 */
export function createScenarioWithFirstVersion(
  db: Pick<PrismaClient, 'scenario'> | Pick<Prisma.TransactionClient, 'scenario'>,
  s: NewScenario,
) {
  return db.scenario.create({
    data: {
      orgId: s.orgId,
      name: s.name,
      description: s.description,
      createdById: s.createdById,
      versions: {
        create: {
          orgId: s.orgId,
          version: 1,
          // A parsed Scenario is plain JSON data; Prisma's JSON input type cannot say so.
          spec: s.spec,
          createdById: s.createdById,
        },
      },
    },
  });
}
