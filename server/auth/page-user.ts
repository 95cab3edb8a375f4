import { cookies } from 'next/headers';
import { db } from '../db';
import type { TimeZoneMode } from '~/components/ui/format';
import type { Role } from './roles';
import { sessionUserId } from './session';

export interface PageUser {
  id: string;
  email: string;
  name: string | null;
  timeFormat: TimeZoneMode;
  orgs: { id: string; slug: string; name: string; role: Role }[];
}

/** The signed-in user of a server-rendered page, with their orgs; null when signed out. */
export async function getPageUser(): Promise<PageUser | null> {
  const jar = await cookies();
  const header = jar
    .getAll()
    .map((c) => `${c.name}=${encodeURIComponent(c.value)}`)
    .join('; ');
  const session = await sessionUserId(header);
  if (!session) return null;
  const user = await db.user.findUnique({
    where: { id: session.userId },
    select: {
      id: true,
      email: true,
      name: true,
      timeFormat: true,
      memberships: {
        select: { role: true, org: { select: { id: true, slug: true, name: true } } },
        orderBy: { org: { name: 'asc' } },
      },
    },
  });
  if (!user) return null;
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    timeFormat: user.timeFormat === 'local' ? 'local' : 'utc',
    orgs: user.memberships.map((m) => ({ ...m.org, role: m.role })),
  };
}
