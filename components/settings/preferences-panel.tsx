'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useTRPC } from '~/components/trpc/react';
import { errorMessage } from '~/components/trpc/error-message';
import { Card, Field, Select, Time, type TimeZoneMode } from '~/components/ui';

const OPTIONS = [
  { value: 'utc', label: 'UTC' },
  { value: 'local', label: 'My local time' },
];

/** Your own settings (not the org's): how every page shows times. Saved at once on change. */
export function PreferencesPanel({ timeFormat }: { timeFormat: TimeZoneMode }) {
  const trpc = useTRPC();
  const router = useRouter();
  const save = useMutation(trpc.auth.setTimeFormat.mutationOptions());
  const [value, setValue] = useState<TimeZoneMode>(timeFormat);
  const [error, setError] = useState<string | null>(null);
  const [now] = useState(() => new Date());
  return (
    <Card>
      <h2>Times</h2>
      <p className="sub">For you only, on every page: timestamps, chart clocks and the status page.</p>
      <Field
        className="mt-3"
        label="Show times in"
        error={error}
        hint={
          <>
            Now: <Time value={now} />
          </>
        }
      >
        {(p) => (
          <Select
            {...p}
            width="sm"
            data-testid="time-format"
            options={OPTIONS}
            value={value}
            disabled={save.isPending}
            onChange={async (e) => {
              const next = e.target.value as TimeZoneMode;
              setValue(next);
              setError(null);
              try {
                await save.mutateAsync({ timeFormat: next });
                // The setting lives in the root layout's provider: re-render it from the server.
                router.refresh();
              } catch (err) {
                setValue(timeFormat);
                setError(errorMessage(err));
              }
            }}
          />
        )}
      </Field>
    </Card>
  );
}
