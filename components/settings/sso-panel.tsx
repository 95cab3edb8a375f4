'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '~/components/trpc/react';
import { useActionError } from '~/components/trpc/use-action-error';
import { GrantableRoleField } from './role-field';
import { Alert, Button, Card, ConfirmButton, EmptyState, Input, SectionTitle, Table } from '~/components/ui';
import { MAPPABLE_ROLES } from '~/server/auth/oidc-mappings';
import { ROLE_LABELS, type Role } from '~/server/auth/roles';

/** Org admins map the identity provider's groups onto roles in this organisation. */
export function SsoPanel({ org, myRole }: { org: string; myRole: Role }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const sso = useQuery(trpc.sso.list.queryOptions({ org }));
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.sso.list.queryKey() });
  const set = useMutation(trpc.sso.set.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.sso.remove.mutationOptions({ onSettled: refresh }));
  const [group, setGroup] = useState('');
  const [role, setRole] = useState<Role>('engineer');
  const { error, onError, attempt } = useActionError();
  return (
    <>
      {error && <Alert>{error}</Alert>}
      <Card>
        <h2>Single sign-on groups</h2>
        <p className="sub">
          {sso.data?.configured
            ? `People who sign in with ${sso.data.provider ?? 'single sign-on'} and belong to a group below join this organization with its role (claim "${sso.data.groupsClaim}"). An account is linked only when the provider has verified its email.`
            : 'Single sign-on is not configured on this server (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET); mappings take effect once it is.'}
        </p>
        <form
          className="form-row mt-3"
          onSubmit={async (e) => {
            e.preventDefault();
            await attempt(async () => {
              await set.mutateAsync({ org, group, role });
              setGroup('');
            });
          }}
        >
          <div className="field grow min-w-sm">
            <label htmlFor="sso-group">Group</label>
            <Input
              id="sso-group"
              placeholder="e.g. /fleet-ops"
              value={group}
              onChange={(e) => setGroup(e.target.value)}
            />
          </div>
          <GrantableRoleField id="sso-role" myRole={myRole} value={role} onChange={setRole} roles={MAPPABLE_ROLES} />
          <Button variant="primary" type="submit" disabled={set.isPending || !group.trim()}>
            Map group
          </Button>
        </form>
      </Card>
      <SectionTitle>Mappings</SectionTitle>
      <Card flush>
        {sso.data && sso.data.mappings.length === 0 ? (
          <EmptyState>No group is mapped yet.</EmptyState>
        ) : (
          <Table data-testid="sso-table">
            <thead>
              <tr>
                <th>Group</th>
                <th>Role</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {sso.data?.mappings.map((m) => (
                <tr key={m.id}>
                  <td>
                    <code>{m.group}</code>
                  </td>
                  <td>
                    <span className="role-pill">{ROLE_LABELS[m.role]}</span>
                  </td>
                  <td className="actions">
                    <ConfirmButton
                      size="sm"
                      title={`Remove the mapping of "${m.group}"?`}
                      message="People who joined through this group lose that role at their next sign-in."
                      confirmLabel="Remove mapping"
                      onConfirm={() => remove.mutate({ org, id: m.id }, { onError })}
                    >
                      Remove
                    </ConfirmButton>
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
