import { z } from 'zod';
import { singleLine } from '../contracts/strings';

/**
 * What DriveLab takes from an OpenID provider's claims (ID token / userinfo), validated like any
 * other outside input: bounded, no control characters. `email_verified` counts only when the
 * provider says `true` (a boolean, or the string "true" some providers send); anything else,
 * absent included, is unverified.
 */

export const MAX_GROUPS = 200;

const groupsValue = z
  .union([z.array(z.unknown()).max(10_000), z.string()])
  .transform((v) => (Array.isArray(v) ? v : [v]))
  .pipe(z.array(z.unknown()));

export const oidcClaimsSchema = z.object({
  sub: singleLine(255).pipe(z.string().min(1)),
  email: singleLine(320).optional(),
  email_verified: z.unknown().optional(),
  name: singleLine(200).optional(),
  preferred_username: singleLine(200).optional(),
});

export interface OidcIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  /** Group or role names from the configured claim (Keycloak full paths like "/fleet/ops" included). */
  groups: string[];
}

const groupName = singleLine(200).pipe(z.string().min(1));

/** The identity in a set of claims, or null when they lack a usable subject. */
export function readOidcIdentity(claims: unknown, groupsClaim: string): OidcIdentity | null {
  const parsed = oidcClaimsSchema.safeParse(claims);
  if (!parsed.success) return null;
  const c = parsed.data;
  const rawGroups =
    claims && typeof claims === 'object' && Object.hasOwn(claims, groupsClaim)
      ? groupsValue.safeParse((claims as Record<string, unknown>)[groupsClaim])
      : null;
  const groups = new Set<string>();
  for (const g of rawGroups?.success ? rawGroups.data : []) {
    const ok = groupName.safeParse(g);
    if (ok.success && groups.size < MAX_GROUPS) groups.add(ok.data);
  }
  const email = c.email?.trim().toLowerCase();
  return {
    subject: c.sub,
    email: email && z.email().safeParse(email).success ? email : null,
    emailVerified: c.email_verified === true || c.email_verified === 'true',
    name: c.name ?? c.preferred_username ?? null,
    groups: [...groups],
  };
}
