import { hashPassword } from '../server/auth/password';
import { scenarioPresets, scenarioSchema } from '../server/contracts/scenario';
import { createDb } from '../server/db';
import { createScenarioWithFirstVersion } from '../server/scenarios/create';

/**
 * The demo tenant that `npm run demo` signs you into. Idempotent: a second run changes nothing
 * but makes sure the demo password still works.
 */
export const DEMO = {
  org: { name: 'Demo Fleet', slug: 'demo' },
  user: { email: 'demo@drivelab.dev', name: 'Demo Engineer', password: 'drivelab-demo' },
  scenario: { name: 'Highway cruise — engine overheat' },
} as const;

export function demoScenarioSpec() {
  return scenarioSchema.parse({
    ...scenarioPresets.highway_cruise,
    name: DEMO.scenario.name,
    durationS: 300,
    // Early enough that the deployed anomaly model alerts within the run's first minute or so.
    faults: [{ type: 'engine_overheat', vehicle: 'ego', startS: 30, rampS: 30, severity: 0.8 }],
  });
}

export async function seed(databaseUrl?: string): Promise<{ orgId: string; userId: string; scenarioId: string }> {
  const db = createDb(databaseUrl);
  try {
    const org = await db.organization.upsert({
      where: { slug: DEMO.org.slug },
      update: {},
      create: { name: DEMO.org.name, slug: DEMO.org.slug },
    });
    const passwordHash = await hashPassword(DEMO.user.password);
    const user = await db.user.upsert({
      where: { email: DEMO.user.email },
      update: { passwordHash },
      create: { email: DEMO.user.email, name: DEMO.user.name, passwordHash },
    });
    await db.membership.upsert({
      where: { orgId_userId: { orgId: org.id, userId: user.id } },
      update: { role: 'owner' },
      create: { orgId: org.id, userId: user.id, role: 'owner' },
    });
    // A scenario to start from: the highway preset with an engine slowly overheating.
    const existing = await db.scenario.findFirst({ where: { orgId: org.id, name: DEMO.scenario.name } });
    const scenario =
      existing ??
      (await createScenarioWithFirstVersion(db, {
        orgId: org.id,
        name: DEMO.scenario.name,
        description: 'Seeded by npm run demo: highway traffic, the ego engine overheats half-way.',
        spec: demoScenarioSpec(),
        createdById: user.id,
      }));
    return { orgId: org.id, userId: user.id, scenarioId: scenario.id };
  } finally {
    await db.$disconnect();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await seed();
  console.log(`[seed] demo org ${DEMO.org.slug} (${r.orgId}), user ${DEMO.user.email}`);
}
