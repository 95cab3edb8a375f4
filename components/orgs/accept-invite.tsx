'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useTRPC } from '~/components/trpc/react';
import { Alert, Button } from '~/components/ui';

export function AcceptInvite({ token, orgName }: { token: string; orgName: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const accept = useMutation(trpc.invites.accept.mutationOptions());
  return (
    <>
      {error && <Alert>{error}</Alert>}
      <Button
        variant="primary"
        className="w-full"
        disabled={accept.isPending}
        onClick={async () => {
          setError(null);
          try {
            const r = await accept.mutateAsync({ token });
            router.push(`/${r.org}`);
            router.refresh();
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      >
        {accept.isPending ? 'Joining…' : `Join ${orgName}`}
      </Button>
    </>
  );
}
