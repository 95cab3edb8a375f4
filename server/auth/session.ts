import { decode } from 'next-auth/jwt';
import { authSecret } from './secret';

export const SESSION_COOKIES = ['__Secure-next-auth.session-token', 'next-auth.session-token'] as const;

export function parseCookies(header: string | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    if (name) out[name] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

/**
 * Reads the next-auth session cookie (a JWE signed with our secret) from a Cookie header.
 * Works for route handlers, the custom server and Socket.IO handshakes alike. Expired or
 * tampered tokens yield null. Large sessions are split into ".0", ".1" … chunks.
 */
export async function sessionUserId(
  cookieHeader: string | null | undefined,
): Promise<{ userId: string; email: string | null } | null> {
  const cookies = parseCookies(cookieHeader);
  for (const name of SESSION_COOKIES) {
    let token = cookies[name];
    if (!token && cookies[`${name}.0`]) {
      token = '';
      for (let i = 0; cookies[`${name}.${i}`]; i++) token += cookies[`${name}.${i}`] ?? '';
    }
    if (!token) continue;
    try {
      const payload = await decode({ token, secret: authSecret() });
      if (payload?.sub) return { userId: payload.sub, email: typeof payload.email === 'string' ? payload.email : null };
    } catch {
      return null;
    }
  }
  return null;
}
