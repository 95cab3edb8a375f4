import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';
import { env } from './env';

/** One Prisma client per process; reused across Next.js hot reloads in development. */
const globalForDb = globalThis as typeof globalThis & { drivelabDb?: PrismaClient };

export function createDb(databaseUrl: string = env.DATABASE_URL): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}

export const db: PrismaClient = globalForDb.drivelabDb ?? createDb();
if (env.NODE_ENV !== 'production') globalForDb.drivelabDb = db;
