import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { defineConfig } from 'prisma/config';

/**
 * The JavaScript schema engine over @prisma/adapter-pg: `prisma generate` and
 * `prisma migrate deploy` run without downloading any engine binary.
 */
// Same default as server/env.ts; the schema's env("DATABASE_URL") must resolve as well.
const databaseUrl = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/drivelab';
process.env.DATABASE_URL = databaseUrl;

const PG_CHAR = 18;
const PG_NAME = 19;
const PG_TEXT = 25;

type PgResultLike = { fields?: { dataTypeID: number }[] } | undefined;

/**
 * The schema engine reads catalog columns of type "char" and name, which adapter-pg has no
 * column type for; their text form is exactly what the engine wants, so report them as text.
 */
function catalogTypesAsText<T extends PgResultLike>(result: T): T {
  for (const field of result?.fields ?? []) {
    if (field.dataTypeID === PG_CHAR || field.dataTypeID === PG_NAME) field.dataTypeID = PG_TEXT;
  }
  return result;
}

class CatalogTextClient extends pg.Client {
  // pg.Client.query has many overloads; this forwards all of them unchanged.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: unknown[]): any {
    const forward = super.query.bind(this) as (...a: unknown[]) => unknown;
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      const callback = last as (err: Error | null, res: PgResultLike) => void;
      args[args.length - 1] = (err: Error | null, res: PgResultLike) => {
        callback(err, err ? res : catalogTypesAsText(res));
      };
      return forward.apply(this, args);
    }
    const out = forward.apply(this, args);
    return out instanceof Promise ? out.then((r: PgResultLike) => catalogTypesAsText(r)) : out;
  }
}

export default defineConfig({
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  engine: 'js',
  experimental: { adapter: true },
  // Note: `migrate deploy` lingers ~10 s after it finishes; the wasm schema engine leaves a 10 s timer.
  adapter: async () => new PrismaPg({ connectionString: databaseUrl, Client: CatalogTextClient }),
});
