/**
 * Example: the typed tRPC client with an API key created in the portal (Settings → API keys).
 *   DRIVELAB_URL=http://127.0.0.1:3000 DRIVELAB_API_KEY=dlk_… npx tsx scripts/examples/list-org.ts
 */
import { createDriveLabClient } from 'drivelab/client';

const url = process.env.DRIVELAB_URL ?? 'http://127.0.0.1:3000';
const apiKey = process.env.DRIVELAB_API_KEY;
if (!apiKey) {
  console.error('Set DRIVELAB_API_KEY to a key from the portal (Settings → API keys).');
  process.exit(2);
}

const client = createDriveLabClient({ url, apiKey });
const org = await client.orgs.get.query({});
const members = await client.members.list.query({});
console.log(`${org.name} (${org.slug}) — this key acts as ${org.role}`);
for (const m of members) console.log(`  ${m.role.padEnd(8)} ${m.email}${m.name ? ` (${m.name})` : ''}`);
