'use client';

import { useCallback, useState } from 'react';
import { errorMessage } from './error-message';

/**
 * The one error line of a panel: cleared when an action starts, then the message of the action
 * that failed, so what it shows is always about the last thing the user did. Async actions go
 * through `attempt`; mutation callbacks take `onError`.
 */
export function useActionError() {
  const [error, setError] = useState<string | null>(null);
  const onError = useCallback((err: unknown) => setError(errorMessage(err)), []);
  const attempt = useCallback(
    async (action: () => Promise<void>) => {
      setError(null);
      try {
        await action();
      } catch (err) {
        onError(err);
      }
    },
    [onError],
  );
  return { error, setError, onError, attempt };
}
