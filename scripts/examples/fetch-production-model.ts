/**
 * Example: what a vehicle gateway or the fleet ML service does with the REST registry — find
 * each model's production version and download its ONNX file and sidecar.
 *   DRIVELAB_URL=http://127.0.0.1:3000 DRIVELAB_API_KEY=dlk_… npx tsx scripts/examples/fetch-production-model.ts [outDir]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const url = process.env.DRIVELAB_URL ?? 'http://127.0.0.1:3000';
const apiKey = process.env.DRIVELAB_API_KEY;
if (!apiKey) {
  console.error('Set DRIVELAB_API_KEY to a key from the portal (Settings → API keys).');
  process.exit(2);
}
const outDir = process.argv[2] ?? 'models';
const headers = { authorization: `Bearer ${apiKey}` };

interface ModelList {
  org: string;
  models: {
    id: string;
    name: string;
    aliases: { name: string; version: number | null }[];
    versions: { version: number; metrics: Record<string, number | null> }[];
  }[];
}

const res = await fetch(`${url}/api/v1/models`, { headers });
if (!res.ok) throw new Error(`GET /api/v1/models: ${res.status} ${await res.text()}`);
const { org, models } = (await res.json()) as ModelList;
console.log(`${models.length} model(s) in ${org}`);
for (const m of models) {
  const prod = m.aliases.find((a) => a.name === 'production');
  if (!prod) {
    console.log(`  ${m.name}: no production version`);
    continue;
  }
  const dir = join(outDir, `${m.name.replace(/[^A-Za-z0-9_.-]+/g, '-')}-v${prod.version}`);
  await mkdir(dir, { recursive: true });
  for (const file of ['model.onnx', 'sidecar.json']) {
    // The alias in the path: the answer is whatever production points at right now.
    const r = await fetch(`${url}/api/v1/models/${m.id}/versions/production/${file}`, { headers });
    if (!r.ok) throw new Error(`${file} of ${m.name}: ${r.status} ${await r.text()}`);
    await writeFile(join(dir, file), Buffer.from(await r.arrayBuffer()));
  }
  const metrics = m.versions.find((v) => v.version === prod.version)?.metrics ?? {};
  console.log(
    `  ${m.name}: production v${prod.version} → ${dir} (${Object.entries(metrics)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')})`,
  );
}
