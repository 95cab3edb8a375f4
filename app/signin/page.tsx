import { redirect } from 'next/navigation';
import { Suspense } from 'react';
import { SignInForm } from '~/components/auth/sign-in-form';
import { getPageUser } from '~/server/auth/page-user';
import { oidcConfigured } from '~/server/auth/options';
import { env } from '~/server/env';
import { Card } from '~/components/ui';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Sign in' };

export const dynamic = 'force-dynamic';

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const params = await searchParams;
  if (await getPageUser())
    redirect(params.callbackUrl?.startsWith('/') && !params.callbackUrl.startsWith('//') ? params.callbackUrl : '/');
  const signupHref = params.callbackUrl ? `/signup?callbackUrl=${encodeURIComponent(params.callbackUrl)}` : '/signup';
  return (
    <div className="auth-wrap">
      <Card className="auth-card">
        <h1>Sign in to DriveLab</h1>
        <p className="lead">Scenarios, live runs, features and models of your team.</p>
        <Suspense>
          <SignInForm oidc={oidcConfigured() ? { id: 'oidc', name: env.OIDC_NAME } : null} />
        </Suspense>
        <p className="muted text-md mt-4">
          New here? <a href={signupHref}>Create an account</a>
        </p>
      </Card>
    </div>
  );
}
