import type { OidcIdentity } from './oidc-identity';

/**
 * Who an OIDC sign-in is (pure, so every branch is unit-tested):
 * - an identity already linked to a user signs in as that user;
 * - otherwise the provider's email finds or creates the user, but only when the provider says the
 *   email is verified: an unverified email never links to (takes over) an existing account, and
 *   never creates one either, so nobody can squat an address they do not own.
 */
export type OidcSignInDecision =
  | { kind: 'linked'; userId: string }
  | { kind: 'link'; userId: string }
  | { kind: 'create'; email: string }
  | { kind: 'refuse'; reason: 'no_email' | 'email_not_verified' };

export function decideOidcSignIn(
  identity: OidcIdentity,
  linkedUserId: string | null,
  userIdByEmail: string | null,
): OidcSignInDecision {
  if (linkedUserId) return { kind: 'linked', userId: linkedUserId };
  if (!identity.email) return { kind: 'refuse', reason: 'no_email' };
  if (!identity.emailVerified) return { kind: 'refuse', reason: 'email_not_verified' };
  if (userIdByEmail) return { kind: 'link', userId: userIdByEmail };
  return { kind: 'create', email: identity.email };
}

/** The sign-in page's message for each refusal (next-auth sends `?error=AccessDenied`). */
export const OIDC_REFUSALS: Record<'no_email' | 'email_not_verified', string> = {
  no_email: 'Your identity provider did not share an email address.',
  email_not_verified: 'Your identity provider has not verified your email address.',
};
