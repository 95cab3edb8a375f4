'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useTRPC } from '~/components/trpc/react';
import { errorMessage } from '~/components/trpc/error-message';
import { Button, Card, ConfirmButton, Input, SectionTitle } from '~/components/ui';

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
      <Card>
        <h2>Organization name</h2>
        <p className="sub">The URL name /{org} stays the same.</p>
        <form
          className="form-row mt-3"
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
          <div className="field grow min-w-md">
            <Input
              aria-label="Organization name"
              value={value}
              disabled={!canRename}
              onChange={(e) => setValue(e.target.value)}
            />
          </div>
          {canRename && (
            <Button variant="primary" type="submit" disabled={rename.isPending || value.trim() === name}>
              Save
            </Button>
          )}
        </form>
      </Card>
      <SectionTitle>Leave</SectionTitle>
      <Card>
        <p className="sub mt-0">You lose access to everything in this organization. The last owner cannot leave.</p>
        <ConfirmButton
          className="mt-3"
          disabled={leave.isPending}
          title="Leave this organization?"
          message="You lose access to everything in it; an admin has to invite you again."
          confirmLabel="Leave"
          onConfirm={async () => {
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
        </ConfirmButton>
      </Card>
    </>
  );
}
