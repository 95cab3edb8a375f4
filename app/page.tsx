import { redirect } from 'next/navigation';
import { getPageUser } from '~/server/auth/page-user';

export const dynamic = 'force-dynamic';

export default async function Home() {
  const user = await getPageUser();
  if (!user) redirect('/signin');
  if (user.orgs.length === 1) redirect(`/${user.orgs[0]!.slug}`);
  redirect('/orgs');
}
