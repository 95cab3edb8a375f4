'use client';

import { usePathname } from 'next/navigation';
import { Tabs } from '~/components/ui';

export function OrgTabs({ slug }: { slug: string }) {
  const pathname = usePathname();
  const section = (name: string) => pathname === `/${slug}/${name}` || pathname.startsWith(`/${slug}/${name}/`);
  const tabs = [
    { href: `/${slug}`, label: 'Overview', active: pathname === `/${slug}` },
    { href: `/${slug}/scenarios`, label: 'Scenarios', active: section('scenarios') },
    { href: `/${slug}/runs`, label: 'Runs', active: section('runs') },
    { href: `/${slug}/campaigns`, label: 'Campaigns', active: section('campaigns') },
    { href: `/${slug}/datasets`, label: 'Datasets', active: section('datasets') },
    { href: `/${slug}/training`, label: 'Training', active: section('training') },
    { href: `/${slug}/experiments`, label: 'Experiments', active: section('experiments') },
    { href: `/${slug}/models`, label: 'Models', active: section('models') },
    { href: `/${slug}/serving`, label: 'Serving', active: section('serving') },
    { href: `/${slug}/api`, label: 'API', active: section('api') },
    { href: `/${slug}/settings`, label: 'Settings', active: section('settings') },
  ];
  return (
    <Tabs
      label="Organization"
      items={tabs.map((t) => ({ key: t.href, label: t.label, href: t.href }))}
      current={tabs.find((t) => t.active)?.href ?? ''}
    />
  );
}
