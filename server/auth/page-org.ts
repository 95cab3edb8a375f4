import { notFound, redirect } from 'next/navigation';
import { getPageUser, type PageUser } from './page-user';
import type { Role } from './roles';

/** The org of an /[org]/… page for its signed-in member; anyone else gets the 404 page. */
export async function requireOrgPage(
  slug: string,
): Promise<{ user: PageUser; org: { id: string; slug: string; name: string; role: Role } }> {
  const user = await getPageUser();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(`/${slug}`)}`);
  const org = user.orgs.find((o) => o.slug === slug);
  if (!org) notFound();
  return { user, org };
}
