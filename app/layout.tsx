import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { UserMenu } from '~/components/auth/user-menu';
import { TRPCReactProvider } from '~/components/trpc/react';
import { getPageUser } from '~/server/auth/page-user';
import { env } from '~/server/env';
import './globals.css';
import { ButtonLink, TimeZoneProvider } from '~/components/ui';
import { THEME_BOOT_SCRIPT, ThemeSwitch } from '~/components/theme/theme-switch';

const description =
  'Scenarios, simulation, streaming features, training and real-time inference for autonomous-vehicle teams.';

// The files live in public/; listing them here puts the <link>/<meta> tags on every page, so no
// page 404s on a favicon and shared links get a preview card.
export const metadata: Metadata = {
  // Absolute URLs for the Open Graph image; without PUBLIC_URL Next uses the request's own origin.
  metadataBase: env.PUBLIC_URL ? new URL(env.PUBLIC_URL) : undefined,
  // Each page names itself ("Runs · DriveLab"); the home page keeps the bare name.
  title: { template: '%s · DriveLab', default: 'DriveLab' },
  description,
  applicationName: 'DriveLab',
  manifest: '/manifest.webmanifest',
  icons: {
    icon: [
      { url: '/favicon.svg', type: 'image/svg+xml' },
      { url: '/favicon.ico', sizes: '16x16 32x32 48x48' },
      { url: '/icon-192.png', type: 'image/png', sizes: '192x192' },
    ],
    apple: [{ url: '/apple-touch-icon.png', sizes: '180x180' }],
  },
  openGraph: {
    type: 'website',
    siteName: 'DriveLab',
    title: 'DriveLab',
    description,
    images: [{ url: '/og-image.png', width: 1200, height: 630, alt: 'DriveLab' }],
  },
  twitter: { card: 'summary_large_image', title: 'DriveLab', description, images: ['/og-image.png'] },
};

export const viewport: Viewport = {
  themeColor: [
    { media: '(prefers-color-scheme: dark)', color: '#0f1419' },
    { media: '(prefers-color-scheme: light)', color: '#f6f8fa' },
  ],
  colorScheme: 'dark light',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await getPageUser();
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* Before first paint: the stored theme choice (components/theme/theme-switch.tsx). */}
        <script dangerouslySetInnerHTML={{ __html: THEME_BOOT_SCRIPT }} />
      </head>
      <body>
        <TRPCReactProvider>
          <TimeZoneProvider zone={user?.timeFormat ?? 'utc'}>
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
              <ThemeSwitch />
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
          </TimeZoneProvider>
        </TRPCReactProvider>
      </body>
    </html>
  );
}
