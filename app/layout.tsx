import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { TRPCReactProvider } from '~/components/trpc/react';
import './globals.css';

export const metadata: Metadata = {
  title: 'DriveLab',
  description: 'Scenarios, simulation, streaming features, training and real-time inference for autonomous-vehicle teams.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <TRPCReactProvider>
          <header className="topbar">
            <a className="brand" href="/">
              <span className="brand-mark" aria-hidden>
                ◆
              </span>
              DriveLab
            </a>
            <nav className="topnav" aria-label="Main">
              <a href="/">System status</a>
            </nav>
          </header>
          <main className="page">{children}</main>
        </TRPCReactProvider>
      </body>
    </html>
  );
}
