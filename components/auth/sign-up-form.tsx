'use client';

import { useMutation } from '@tanstack/react-query';
import { signIn } from 'next-auth/react';
import { useRouter, useSearchParams } from 'next/navigation';
import { useState, type SubmitEvent } from 'react';
import { useTRPC } from '~/components/trpc/react';
import { safeCallback } from './sign-in-form';
import { Alert, Button, Input } from '~/components/ui';
import { formText } from '~/components/forms/form-text';

type FieldErrors = Partial<Record<'name' | 'email' | 'password', string>>;

export function SignUpForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const params = useSearchParams();
  const callbackUrl = safeCallback(params.get('callbackUrl'), '/orgs');
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const signUp = useMutation(trpc.auth.signUp.mutationOptions());

  const onSubmit = async (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    // Read the form itself: what was typed before the page became interactive is kept.
    const data = new FormData(e.currentTarget);
    const form = {
      name: formText(data, 'name'),
      email: formText(data, 'email'),
      password: formText(data, 'password'),
    };
    setError(null);
    setFieldErrors({});
    try {
      await signUp.mutateAsync(form);
    } catch (err) {
      const data = (err as { data?: { zodError?: { path: string; message: string }[] | null } }).data;
      if (data?.zodError?.length) setFieldErrors(Object.fromEntries(data.zodError.map((i) => [i.path, i.message])));
      else setError((err as Error).message);
      return;
    }
    const res = await signIn('credentials', {
      email: form.email,
      password: form.password,
      redirect: false,
      callbackUrl,
    });
    if (!res || res.error) {
      setError('Your account was created, but signing in failed. Please sign in.');
      return;
    }
    router.push(callbackUrl);
    router.refresh();
  };

  const field = (key: keyof FieldErrors, label: string, type: string, autoComplete: string, hint?: string) => (
    <div className="field">
      <label htmlFor={key}>{label}</label>
      <Input
        id={key}
        name={key}
        type={type}
        autoComplete={autoComplete}
        aria-invalid={fieldErrors[key] ? 'true' : 'false'}
      />
      {fieldErrors[key] ? (
        <span className="field-error">{fieldErrors[key]}</span>
      ) : hint ? (
        <span className="muted text-xs">{hint}</span>
      ) : null}
    </div>
  );

  return (
    <form onSubmit={onSubmit} method="post" noValidate>
      {error && <Alert>{error}</Alert>}
      {field('name', 'Name', 'text', 'name')}
      {field('email', 'Work email', 'email', 'email')}
      {field(
        'password',
        'Password',
        'password',
        'new-password',
        'At least 10 characters, letters and digits or symbols.',
      )}
      <Button variant="primary" className="w-full" type="submit" disabled={signUp.isPending}>
        {signUp.isPending ? 'Creating account…' : 'Create account'}
      </Button>
    </form>
  );
}
