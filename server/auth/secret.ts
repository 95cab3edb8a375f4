import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { env } from '../env';

let cached: string | undefined;

/**
 * The secret that signs session cookies. Operators set NEXTAUTH_SECRET; without it every
 * process on this machine shares one random secret kept beside the local object store.
 */
export function authSecret(): string {
  if (env.NEXTAUTH_SECRET) return env.NEXTAUTH_SECRET;
  if (cached) return cached;
  const file = join(dirname(env.DATA_DIR), 'auth-secret');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  cached = readFileSync(file, 'utf8').trim();
  return cached;
}
