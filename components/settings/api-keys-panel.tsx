'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '~/components/trpc/react';
import { canGrant, ROLES, ROLE_LABELS, type Role } from '~/server/auth/roles';
import { errorMessage, formatTime, relative } from './util';

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
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      {error && (
        <div className="alert alert-error" role="alert">
          {error}
        </div>
      )}
      <div className="card">
        <h2>New API key</h2>
        <p className="sub">
          Keys act for this organization with the role you choose: for the typed client, REST (/api/v1) and scripts.
        </p>
        <form
          className="form-row"
          style={{ marginTop: 14 }}
          onSubmit={async (e) => {
            e.preventDefault();
            setError(null);
            try {
              const r = await create.mutateAsync({ org, name, role });
              setCreated({ name: r.name, key: r.key });
              setName('');
            } catch (err) {
              setError(errorMessage(err));
            }
          }}
        >
          <div className="field" style={{ flex: 1, minWidth: 220 }}>
            <label htmlFor="key-name">Name</label>
            <input
              id="key-name"
              className="input"
              placeholder="e.g. CI pipeline"
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="key-role">Role</label>
            <select
              id="key-role"
              className="input"
              style={{ width: 150 }}
              value={role}
              onChange={(e) => setRole(e.target.value as Role)}
            >
              {ROLES.filter((r) => canGrant(myRole, r)).map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABELS[r]}
                </option>
              ))}
            </select>
          </div>
          <button className="btn btn-primary" disabled={create.isPending || !name.trim()}>
            Create key
          </button>
        </form>
        {created && (
          <div style={{ marginTop: 14 }} className="alert alert-info">
            <strong>{created.name}</strong>: copy the key now. It is shown only once and cannot be recovered.
            <div className="secret-box" data-testid="new-api-key">
              {created.key}
            </div>
            <button className="btn btn-sm" onClick={() => void navigator.clipboard?.writeText(created.key)}>
              Copy
            </button>
          </div>
        )}
      </div>
      <h3 className="section-title">Keys</h3>
      <div className="card" style={{ padding: 0 }}>
        {keys.data && keys.data.length === 0 ? (
          <div className="empty">No API keys yet.</div>
        ) : (
          <table className="data" data-testid="keys-table">
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
                    <div style={{ fontSize: 12 }}>{formatTime(k.createdAt)}</div>
                  </td>
                  <td className="muted">{relative(k.lastUsedAt)}</td>
                  <td className="actions">
                    {k.revokedAt ? (
                      <span className="badge badge-bad">Revoked</span>
                    ) : (
                      <button
                        className="btn btn-sm btn-danger"
                        onClick={() => {
                          if (!window.confirm(`Revoke "${k.name}"? Anything using it stops working at once.`)) return;
                          revoke.mutate({ org, id: k.id }, { onError: (err) => setError(errorMessage(err)) });
                        }}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
