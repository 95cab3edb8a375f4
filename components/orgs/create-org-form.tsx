'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type SubmitEvent } from 'react';
import { useTRPC } from '~/components/trpc/react';
import { Button, Input } from '~/components/ui';
import { formText } from '~/components/forms/form-text';

export function CreateOrgForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(trpc.orgs.create.mutationOptions());
  const onSubmit = async (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const name = formText(new FormData(e.currentTarget), 'name');
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
      <div className="field grow min-w-md">
        <label htmlFor="org-name">Organization name</label>
        <Input
          id="org-name"
          name="name"
          placeholder="e.g. Highway Autonomy Team"
          aria-invalid={error ? 'true' : 'false'}
        />
      </div>
      <Button variant="primary" type="submit" disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create organization'}
      </Button>
      {error && <span className="field-error w-full">{error}</span>}
    </form>
  );
}
