'use client';

import { usePathname } from 'next/navigation';

export function OrgTabs({ slug }: { slug: string }) {
  const pathname = usePathname();
  const tabs = [
    { href: `/${slug}`, label: 'Overview', active: pathname === `/${slug}` },
    { href: `/${slug}/settings`, label: 'Settings', active: pathname.startsWith(`/${slug}/settings`) },
  ];
  return (
    <nav className="tabs" aria-label="Organization">
      {tabs.map((t) => (
        <a key={t.href} href={t.href} aria-current={t.active ? 'page' : undefined}>
          {t.label}
        </a>
      ))}
    </nav>
  );
}
