'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '~/components/trpc/react';
import { useActionError } from '~/components/trpc/use-action-error';
import { GrantableRoleField } from './role-field';
import { ROLE_LABELS, type Role } from '~/server/auth/roles';
import { Time } from '~/components/ui/time';
import { Alert, Button, Card, EmptyState, Input, SectionTitle, Select, Table } from '~/components/ui';
import { copyText } from '~/components/ui/clipboard';

export function InvitesPanel({ org, myRole }: { org: string; myRole: Role }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const invites = useQuery(trpc.invites.list.queryOptions({ org }));
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.invites.list.queryKey() });
  const create = useMutation(trpc.invites.create.mutationOptions({ onSettled: refresh }));
  const revoke = useMutation(trpc.invites.revoke.mutationOptions({ onSettled: refresh }));
  const [role, setRole] = useState<Role>('engineer');
  const [email, setEmail] = useState('');
  const [ttlHours, setTtlHours] = useState(72);
  const [link, setLink] = useState<string | null>(null);
  const { error, onError, attempt } = useActionError();
  return (
    <>
      {error && <Alert>{error}</Alert>}
      <Card>
        <h2>Invite by link</h2>
        <p className="sub">
          Anyone with the link can join with the chosen role until it expires or is used. Optionally restrict it to one
          email.
        </p>
        <form
          className="form-row mt-3"
          onSubmit={async (e) => {
            e.preventDefault();
            await attempt(async () => {
              const r = await create.mutateAsync({
                org,
                role,
                ttlHours,
                ...(email.trim() ? { email: email.trim() } : {}),
              });
              setLink(`${window.location.origin}${r.path}`);
            });
          }}
        >
          <GrantableRoleField id="invite-role" myRole={myRole} value={role} onChange={setRole} />
          <div className="field grow min-w-sm">
            <label htmlFor="invite-email">Email (optional)</label>
            <Input
              id="invite-email"
              type="email"
              placeholder="anyone with the link"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="invite-ttl">Expires after</label>
            <Select width="sm" id="invite-ttl" value={ttlHours} onChange={(e) => setTtlHours(Number(e.target.value))}>
              <option value={24}>1 day</option>
              <option value={72}>3 days</option>
              <option value={168}>7 days</option>
              <option value={720}>30 days</option>
            </Select>
          </div>
          <Button variant="primary" type="submit" disabled={create.isPending}>
            Create link
          </Button>
        </form>
        {link && (
          <div className="mt-3">
            <div className="muted text-sm">Send this link; it is shown only now.</div>
            <div className="secret-box" data-testid="invite-link">
              {link}
            </div>
            <Button size="sm" onClick={() => copyText(link)}>
              Copy
            </Button>
          </div>
        )}
      </Card>
      <SectionTitle>Pending invitations</SectionTitle>
      <Card flush>
        {invites.data && invites.data.length === 0 ? (
          <EmptyState>No pending invitations.</EmptyState>
        ) : (
          <Table>
            <thead>
              <tr>
                <th>Role</th>
                <th>For</th>
                <th>Created by</th>
                <th>Expires</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {invites.data?.map((i) => (
                <tr key={i.id}>
                  <td>
                    <span className="role-pill">{ROLE_LABELS[i.role]}</span>
                  </td>
                  <td>{i.email ?? <span className="muted">anyone with the link</span>}</td>
                  <td className="muted">{i.createdBy ?? '—'}</td>
                  <td className={i.expired ? 'error-text' : 'muted'}>
                    {i.expired ? 'expired' : <Time value={i.expiresAt} />}
                  </td>
                  <td className="actions">
                    <Button
                      variant="danger"
                      size="sm"
                      onClick={() => revoke.mutate({ org, inviteId: i.id }, { onError })}
                    >
                      Revoke
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </>
  );
}
