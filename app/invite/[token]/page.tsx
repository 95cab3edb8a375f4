import { AcceptInvite } from '~/components/orgs/accept-invite';
import { getPageUser } from '~/server/auth/page-user';
import { ROLE_LABELS } from '~/server/auth/roles';
import { sha256 } from '~/server/auth/tokens';
import { db } from '~/server/db';
import { inviteStatus } from '~/server/trpc/routers/invites';
import { ButtonLink, Card } from '~/components/ui';
import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Invitation' };

export const dynamic = 'force-dynamic';

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const [user, invite] = await Promise.all([
    getPageUser(),
    db.invite.findUnique({
      where: { tokenHash: sha256(token) },
      include: { org: { select: { name: true, slug: true } }, createdBy: { select: { name: true, email: true } } },
    }),
  ]);
  const here = `/invite/${token}`;
  let body;
  if (!invite) {
    body = <div className="alert alert-error">This invitation link is not valid. Ask for a new one.</div>;
  } else {
    const status = inviteStatus(invite);
    const member = user?.orgs.some((o) => o.slug === invite.org.slug);
    body = (
      <>
        <p className="lead">
          {invite.createdBy?.name ?? invite.createdBy?.email ?? 'An admin'} invited you to join{' '}
          <strong>{invite.org.name}</strong> as <span className="role-pill">{ROLE_LABELS[invite.role]}</span>
        </p>
        {status === 'expired' && (
          <div className="alert alert-error">
            This invitation expired on {invite.expiresAt.toUTCString()}. Ask for a new one.
          </div>
        )}
        {status === 'revoked' && <div className="alert alert-error">This invitation was revoked.</div>}
        {status === 'used' && <div className="alert alert-error">This invitation has already been used.</div>}
        {status === 'valid' &&
          (member ? (
            <ButtonLink variant="primary" className="w-full" href={`/${invite.org.slug}`}>
              You are a member — open {invite.org.name}
            </ButtonLink>
          ) : user ? (
            <>
              <p className="muted text-sm">
                Signed in as {user.email}. Valid until {invite.expiresAt.toUTCString()}.
              </p>
              <AcceptInvite token={token} orgName={invite.org.name} />
            </>
          ) : (
            <div className="stack-tight">
              <ButtonLink variant="primary" href={`/signup?callbackUrl=${encodeURIComponent(here)}`}>
                Create an account to join
              </ButtonLink>
              <ButtonLink href={`/signin?callbackUrl=${encodeURIComponent(here)}`}>
                I already have an account
              </ButtonLink>
            </div>
          ))}
      </>
    );
  }
  return (
    <div className="auth-wrap">
      <Card className="auth-card">
        <h1>Invitation</h1>
        {body}
      </Card>
    </div>
  );
}
