import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { UserMenu } from '~/components/auth/user-menu';
import { TRPCReactProvider } from '~/components/trpc/react';
import { getPageUser } from '~/server/auth/page-user';
import './globals.css';
import { ButtonLink } from '~/components/ui';

export const metadata: Metadata = {
  title: 'DriveLab',
  description:
    'Scenarios, simulation, streaming features, training and real-time inference for autonomous-vehicle teams.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await getPageUser();
  return (
    <html lang="en">
      <body>
        <TRPCReactProvider>
          <header className="topbar">
            <a className="brand" href={user ? '/orgs' : '/'}>
              <span className="brand-mark" aria-hidden>
                ◆
              </span>
              DriveLab
            </a>
            <nav className="topnav" aria-label="Main">
              {user && <a href="/orgs">Organizations</a>}
              <a href="/status">System status</a>
            </nav>
            <div className="spacer" />
            {user ? (
              <UserMenu email={user.email} orgs={user.orgs.map((o) => ({ slug: o.slug, name: o.name }))} />
            ) : (
              <div className="user-menu">
                <a href="/signin">Sign in</a>
                <ButtonLink variant="primary" size="sm" href="/signup">
                  Create account
                </ButtonLink>
              </div>
            )}
          </header>
          <main className="page">{children}</main>
        </TRPCReactProvider>
      </body>
    </html>
  );
}
