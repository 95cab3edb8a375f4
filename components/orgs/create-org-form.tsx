'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { useTRPC } from '~/components/trpc/react';

export function CreateOrgForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(trpc.orgs.create.mutationOptions());
  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const name = String(new FormData(e.currentTarget).get('name') ?? '');
    setError(null);
    try {
      const org = await create.mutateAsync({ name });
      router.push(`/${org.slug}`);
      router.refresh();
    } catch (err) {
      const z = (err as { data?: { zodError?: { message: string }[] | null } }).data?.zodError;
      setError(z?.[0]?.message ?? (err as Error).message);
    }
  };
  return (
    <form onSubmit={onSubmit} method="post" className="form-row" noValidate>
      <div className="field" style={{ flex: 1, minWidth: 240 }}>
        <label htmlFor="org-name">Organization name</label>
        <input
          id="org-name"
          name="name"
          className="input"
          placeholder="e.g. Highway Autonomy Team"
          aria-invalid={error ? 'true' : 'false'}
        />
      </div>
      <button className="btn btn-primary" type="submit" disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create organization'}
      </button>
      {error && (
        <span className="field-error" style={{ width: '100%' }}>
          {error}
        </span>
      )}
    </form>
  );
}
