import { redirect } from 'next/navigation';
import { Suspense } from 'react';
import { SignUpForm } from '~/components/auth/sign-up-form';
import { getPageUser } from '~/server/auth/page-user';
import { Card } from '~/components/ui';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Create account' };

export const dynamic = 'force-dynamic';

export default async function SignUpPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const params = await searchParams;
  if (await getPageUser()) redirect('/orgs');
  const signinHref = params.callbackUrl ? `/signin?callbackUrl=${encodeURIComponent(params.callbackUrl)}` : '/signin';
  return (
    <div className="auth-wrap">
      <Card className="auth-card">
        <h1>Create your account</h1>
        <p className="lead">
          {params.callbackUrl?.startsWith('/invite/')
            ? 'Sign up to accept your invitation.'
            : 'Then create an organization or accept an invitation.'}
        </p>
        <Suspense>
          <SignUpForm />
        </Suspense>
        <p className="muted text-md mt-4">
          Already have an account? <a href={signinHref}>Sign in</a>
        </p>
      </Card>
    </div>
  );
}
