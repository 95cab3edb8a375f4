'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useTRPC } from '~/components/trpc/react';
import { errorMessage } from './util';

export function GeneralPanel({ org, name, canRename }: { org: string; name: string; canRename: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [value, setValue] = useState(name);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const rename = useMutation(trpc.orgs.rename.mutationOptions());
  const leave = useMutation(trpc.orgs.leave.mutationOptions());
  return (
    <>
      {msg && (
        <div className={`alert ${msg.ok ? 'alert-ok' : 'alert-error'}`} role="alert">
          {msg.text}
        </div>
      )}
      <div className="card">
        <h2>Organization name</h2>
        <p className="sub">The URL name /{org} stays the same.</p>
        <form
          className="form-row"
          style={{ marginTop: 14 }}
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              await rename.mutateAsync({ org, name: value });
              setMsg({ ok: true, text: 'Renamed.' });
              router.refresh();
            } catch (err) {
              setMsg({ ok: false, text: errorMessage(err) });
            }
          }}
        >
          <div className="field" style={{ flex: 1, minWidth: 240 }}>
            <input
              className="input"
              aria-label="Organization name"
              value={value}
              disabled={!canRename}
              onChange={(e) => setValue(e.target.value)}
            />
          </div>
          {canRename && (
            <button className="btn btn-primary" disabled={rename.isPending || value.trim() === name}>
              Save
            </button>
          )}
        </form>
      </div>
      <h3 className="section-title">Leave</h3>
      <div className="card">
        <p className="sub" style={{ marginTop: 0 }}>
          You lose access to everything in this organization. The last owner cannot leave.
        </p>
        <button
          className="btn btn-danger"
          style={{ marginTop: 12 }}
          disabled={leave.isPending}
          onClick={async () => {
            if (!window.confirm('Leave this organization?')) return;
            try {
              await leave.mutateAsync({ org });
              router.push('/orgs');
              router.refresh();
            } catch (err) {
              setMsg({ ok: false, text: errorMessage(err) });
            }
          }}
        >
          Leave organization
        </button>
      </div>
    </>
  );
}
