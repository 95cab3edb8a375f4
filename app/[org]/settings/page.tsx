import { ApiKeysPanel } from '~/components/settings/api-keys-panel';
import { AuditPanel } from '~/components/settings/audit-panel';
import { GeneralPanel } from '~/components/settings/general-panel';
import { InvitesPanel } from '~/components/settings/invites-panel';
import { MembersPanel } from '~/components/settings/members-panel';
import { PreferencesPanel } from '~/components/settings/preferences-panel';
import { SsoPanel } from '~/components/settings/sso-panel';
import { WebhookPanel } from '~/components/settings/webhook-panel';
import { Tabs } from '~/components/ui';
import { requireOrgPage } from '~/server/auth/page-org';
import { hasRole } from '~/server/auth/roles';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Settings' };

export const dynamic = 'force-dynamic';

const TABS = [
  { id: 'general', label: 'General', admin: false },
  { id: 'preferences', label: 'Your preferences', admin: false },
  { id: 'members', label: 'Members', admin: false },
  { id: 'invites', label: 'Invitations', admin: true },
  { id: 'keys', label: 'API keys', admin: true },
  { id: 'sso', label: 'Single sign-on', admin: true },
  { id: 'webhook', label: 'Webhook', admin: true },
  { id: 'audit', label: 'Audit log', admin: true },
] as const;

export default async function SettingsPage({
  params,
  searchParams,
}: {
  params: Promise<{ org: string }>;
  searchParams: Promise<{ tab?: string }>;
}) {
  const { org: slug } = await params;
  const { tab: requested } = await searchParams;
  const { user, org } = await requireOrgPage(slug);
  const admin = hasRole(org.role, 'admin');
  const tabs = TABS.filter((t) => admin || !t.admin);
  const tab = tabs.find((t) => t.id === requested)?.id ?? 'general';
  return (
    <>
      <Tabs
        label="Settings"
        className="tabs-sub"
        items={tabs.map((t) => ({ key: t.id, label: t.label, href: `/${org.slug}/settings?tab=${t.id}` }))}
        current={tab}
      />
      {tab === 'general' && <GeneralPanel org={org.slug} name={org.name} canRename={admin} />}
      {tab === 'preferences' && <PreferencesPanel timeFormat={user.timeFormat} />}
      {tab === 'members' && <MembersPanel org={org.slug} myRole={org.role} myUserId={user.id} />}
      {tab === 'invites' && <InvitesPanel org={org.slug} myRole={org.role} />}
      {tab === 'keys' && <ApiKeysPanel org={org.slug} myRole={org.role} />}
      {tab === 'sso' && <SsoPanel org={org.slug} myRole={org.role} />}
      {tab === 'webhook' && <WebhookPanel org={org.slug} />}
      {tab === 'audit' && <AuditPanel org={org.slug} />}
    </>
  );
}
