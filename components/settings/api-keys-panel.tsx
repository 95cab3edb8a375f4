'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '~/components/trpc/react';
import { useActionError } from '~/components/trpc/use-action-error';
import { GrantableRoleField } from './role-field';
import { ROLE_LABELS, type Role } from '~/server/auth/roles';
import { relative } from '~/components/ui/format';
import { Time } from '~/components/ui/time';
import { copyText } from '~/components/ui/clipboard';
import { Alert, Badge, Button, Card, ConfirmButton, EmptyState, Input, SectionTitle, Table } from '~/components/ui';

export function ApiKeysPanel({ org, myRole }: { org: string; myRole: Role }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const keys = useQuery(trpc.apiKeys.list.queryOptions({ org }));
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
  const create = useMutation(trpc.apiKeys.create.mutationOptions({ onSettled: refresh }));
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions({ onSettled: refresh }));
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('engineer');
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const { error, onError, attempt } = useActionError();
  return (
    <>
      {error && <Alert>{error}</Alert>}
      <Card>
        <h2>New API key</h2>
        <p className="sub">
          Keys act for this organization with the role you choose: for the typed client, REST (/api/v1) and scripts.
        </p>
        <form
          className="form-row mt-3"
          onSubmit={async (e) => {
            e.preventDefault();
            await attempt(async () => {
              const r = await create.mutateAsync({ org, name, role });
              setCreated({ name: r.name, key: r.key });
              setName('');
            });
          }}
        >
          <div className="field grow min-w-sm">
            <label htmlFor="key-name">Name</label>
            <Input
              id="key-name"
              placeholder="e.g. CI pipeline"
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </div>
          <GrantableRoleField id="key-role" myRole={myRole} value={role} onChange={setRole} />
          <Button variant="primary" type="submit" disabled={create.isPending || !name.trim()}>
            Create key
          </Button>
        </form>
        {created && (
          <div className="alert alert-info mt-3">
            <strong>{created.name}</strong>: copy the key now. It is shown only once and cannot be recovered.
            <div className="secret-box" data-testid="new-api-key">
              {created.key}
            </div>
            <Button size="sm" onClick={() => copyText(created.key)}>
              Copy
            </Button>
          </div>
        )}
      </Card>
      <SectionTitle>Keys</SectionTitle>
      <Card flush>
        {keys.data && keys.data.length === 0 ? (
          <EmptyState>No API keys yet.</EmptyState>
        ) : (
          <Table data-testid="keys-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Key</th>
                <th>Role</th>
                <th>Created by</th>
                <th>Last used</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {keys.data?.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td>
                    <code>{k.display}</code>
                  </td>
                  <td>
                    <span className="role-pill">{ROLE_LABELS[k.role]}</span>
                  </td>
                  <td className="muted">
                    {k.createdBy ?? '—'}
                    <div className="text-xs">
                      <Time value={k.createdAt} />
                    </div>
                  </td>
                  <td className="muted">{relative(k.lastUsedAt)}</td>
                  <td className="actions">
                    {k.revokedAt ? (
                      <Badge tone="bad">Revoked</Badge>
                    ) : (
                      <ConfirmButton
                        size="sm"
                        title={`Revoke "${k.name}"?`}
                        message="Anything using this key stops working at once."
                        confirmLabel="Revoke key"
                        onConfirm={() => revoke.mutate({ org, id: k.id }, { onError })}
                      >
                        Revoke
                      </ConfirmButton>
                    )}
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
