'use client';

import { signIn } from 'next-auth/react';
import { useRouter, useSearchParams } from 'next/navigation';
import { useState, type SubmitEvent } from 'react';
import { Alert, Button, Input } from '~/components/ui';
import { OIDC_REFUSALS } from '~/server/auth/oidc-signin';
import { formText } from '~/components/forms/form-text';

function describe(error: string | null, retryAfter: string | null): string | null {
  if (!error) return null;
  if (error.startsWith('TooManyAttempts')) {
    const secs = retryAfter ?? error.split(':')[1];
    return `Too many failed attempts for this account. Try again in ${secs ? `${Math.ceil(Number(secs) / 60)} min` : 'a few minutes'}.`;
  }
  if (error === 'CredentialsSignin') return 'Wrong email or password.';
  if (error === 'SessionRequired') return 'Please sign in to continue.';
  if (error.startsWith('Oidc:')) {
    const reason = error.slice(5);
    return reason in OIDC_REFUSALS
      ? `${OIDC_REFUSALS[reason as keyof typeof OIDC_REFUSALS]} Single sign-on was refused.`
      : 'Single sign-on was refused.';
  }
  return 'Sign-in failed. Please try again.';
}

/** Only same-site paths are followed after sign-in. */
export function safeCallback(raw: string | null, fallback = '/'): string {
  return raw && raw.startsWith('/') && !raw.startsWith('//') ? raw : fallback;
}

export function SignInForm({ oidc }: { oidc: { id: string; name: string } | null }) {
  const router = useRouter();
  const params = useSearchParams();
  const callbackUrl = safeCallback(params.get('callbackUrl'));
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(describe(params.get('error'), params.get('retryAfter')));

  const onSubmit = async (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    // Read the form itself: what was typed before the page became interactive is kept.
    const data = new FormData(e.currentTarget);
    const email = formText(data, 'email');
    const password = formText(data, 'password');
    if (!email || !password) {
      setError('Enter your email and password.');
      return;
    }
    setPending(true);
    setError(null);
    const res = await signIn('credentials', { email, password, redirect: false, callbackUrl });
    setPending(false);
    if (!res || res.error) {
      const retryAfter = res?.url ? new URL(res.url).searchParams.get('retryAfter') : null;
      setError(describe(res?.error ?? 'unknown', retryAfter));
      return;
    }
    router.push(callbackUrl);
    router.refresh();
  };

  return (
    <form onSubmit={onSubmit} method="post" noValidate>
      {error && <Alert>{error}</Alert>}
      <div className="field">
        <label htmlFor="email">Email</label>
        <Input id="email" name="email" type="email" autoComplete="email" required />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <Input id="password" name="password" type="password" autoComplete="current-password" required />
      </div>
      <Button variant="primary" className="w-full" type="submit" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </Button>
      {oidc && (
        <>
          <div className="divider">or</div>
          <Button className="w-full" type="button" onClick={() => void signIn(oidc.id, { callbackUrl })}>
            Continue with {oidc.name}
          </Button>
        </>
      )}
    </form>
  );
}
