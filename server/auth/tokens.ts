import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function safeEqualHex(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/** An API key: "dlk_" + an 8-character lookup prefix + "_" + 32 random bytes. Shown once. */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = randomBytes(6).toString('base64url').slice(0, 8).replace(/[-_]/g, 'x');
  const key = `dlk_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, hash: sha256(key) };
}

export function parseApiKey(key: string): { prefix: string } | null {
  const m = /^dlk_([A-Za-z0-9]{8})_[A-Za-z0-9_-]{43}$/.exec(key);
  return m ? { prefix: m[1]! } : null;
}

/** An invitation token for a link; only its hash is stored. */
export function generateInviteToken(): { token: string; hash: string } {
  const token = randomBytes(24).toString('base64url');
  return { token, hash: sha256(token) };
}
