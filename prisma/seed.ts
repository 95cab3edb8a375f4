import { hashPassword } from '../server/auth/password';
import { createDb } from '../server/db';

/**
 * The demo tenant that `npm run demo` signs you into. Idempotent: a second run changes nothing
 * but makes sure the demo password still works.
 */
export const DEMO = {
  org: { name: 'Demo Fleet', slug: 'demo' },
  user: { email: 'demo@drivelab.dev', name: 'Demo Engineer', password: 'drivelab-demo' },
} as const;

export async function seed(databaseUrl?: string): Promise<{ orgId: string; userId: string }> {
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
    return { orgId: org.id, userId: user.id };
  } finally {
    await db.$disconnect();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await seed();
  console.log(`[seed] demo org ${DEMO.org.slug} (${r.orgId}), user ${DEMO.user.email}`);
}
