'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '~/components/trpc/react';
import { useActionError } from '~/components/trpc/use-action-error';
import { ROLES, ROLE_LABELS, type Role } from '~/server/auth/roles';
import { Time } from '~/components/ui/time';
import { Alert, Card, ConfirmButton, EmptyState, Select, Table } from '~/components/ui';

export function MembersPanel({ org, myRole, myUserId }: { org: string; myRole: Role; myUserId: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const members = useQuery(trpc.members.list.queryOptions({ org }));
  const { error, setError, onError } = useActionError();
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.members.list.queryKey() });
  const updateRole = useMutation(trpc.members.updateRole.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.members.remove.mutationOptions({ onSettled: refresh }));
  const isAdmin = myRole === 'admin' || myRole === 'owner';
  return (
    <>
      {error && <Alert>{error}</Alert>}
      <Card flush>
        <Table data-testid="members-table">
          <thead>
            <tr>
              <th>Member</th>
              <th>Role</th>
              <th>Joined</th>
              {isAdmin && <th />}
            </tr>
          </thead>
          <tbody>
            {members.data?.map((m) => (
              <tr key={m.id}>
                <td>
                  <div>{m.name ?? m.email}</div>
                  <div className="muted text-xs">{m.email}</div>
                </td>
                <td>
                  {isAdmin && m.userId !== myUserId ? (
                    <Select
                      width="sm"
                      className="h-sm"
                      aria-label={`Role of ${m.email}`}
                      value={m.role}
                      onChange={(e) => {
                        setError(null);
                        updateRole.mutate({ org, membershipId: m.id, role: e.target.value as Role }, { onError });
                      }}
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {ROLE_LABELS[r]}
                        </option>
                      ))}
                    </Select>
                  ) : (
                    <span className="role-pill">{ROLE_LABELS[m.role]}</span>
                  )}
                </td>
                <td className="muted">
                  <Time value={m.joinedAt} />
                </td>
                {isAdmin && (
                  <td className="actions">
                    {m.userId !== myUserId && (
                      <ConfirmButton
                        size="sm"
                        title={`Remove ${m.email}?`}
                        message="They lose access to everything in this organization at once."
                        confirmLabel="Remove member"
                        onConfirm={() => {
                          setError(null);
                          remove.mutate({ org, membershipId: m.id }, { onError });
                        }}
                      >
                        Remove
                      </ConfirmButton>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </Table>
        {members.isLoading && <EmptyState>Loading…</EmptyState>}
        {members.error && <div className="empty error-text">{members.error.message}</div>}
      </Card>
    </>
  );
}
