'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '~/components/trpc/react';
import { ROLES, ROLE_LABELS, type Role } from '~/server/auth/roles';
import { errorMessage, formatTime } from './util';

export function MembersPanel({ org, myRole, myUserId }: { org: string; myRole: Role; myUserId: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const members = useQuery(trpc.members.list.queryOptions({ org }));
  const [error, setError] = useState<string | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.members.list.queryKey() });
  const updateRole = useMutation(trpc.members.updateRole.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.members.remove.mutationOptions({ onSettled: refresh }));
  const isAdmin = myRole === 'admin' || myRole === 'owner';
  return (
    <>
      {error && (
        <div className="alert alert-error" role="alert">
          {error}
        </div>
      )}
      <div className="card" style={{ padding: 0 }}>
        <table className="data" data-testid="members-table">
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
                  <div className="muted" style={{ fontSize: 12 }}>
                    {m.email}
                  </div>
                </td>
                <td>
                  {isAdmin && m.userId !== myUserId ? (
                    <select
                      className="input"
                      style={{ width: 140, height: 32 }}
                      aria-label={`Role of ${m.email}`}
                      value={m.role}
                      onChange={(e) => {
                        setError(null);
                        updateRole.mutate(
                          { org, membershipId: m.id, role: e.target.value as Role },
                          { onError: (err) => setError(errorMessage(err)) },
                        );
                      }}
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {ROLE_LABELS[r]}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <span className="role-pill">{ROLE_LABELS[m.role]}</span>
                  )}
                </td>
                <td className="muted">{formatTime(m.joinedAt)}</td>
                {isAdmin && (
                  <td className="actions">
                    {m.userId !== myUserId && (
                      <button
                        className="btn btn-sm btn-danger"
                        onClick={() => {
                          if (!window.confirm(`Remove ${m.email} from this organization?`)) return;
                          setError(null);
                          remove.mutate({ org, membershipId: m.id }, { onError: (err) => setError(errorMessage(err)) });
                        }}
                      >
                        Remove
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
        {members.isLoading && <div className="empty">Loading…</div>}
        {members.error && <div className="empty error-text">{members.error.message}</div>}
      </div>
    </>
  );
}
