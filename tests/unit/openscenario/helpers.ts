import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from this file's location (tests/unit/openscenario). */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** CI clones the repo with shared/ beside it; DRIVELAB_SHARED_DIR overrides for other layouts. */
export const sharedDir = process.env.DRIVELAB_SHARED_DIR
  ? resolve(process.env.DRIVELAB_SHARED_DIR)
  : resolve(repoRoot, '../shared');
export const xsdPath = join(sharedDir, 'openscenario', 'OpenSCENARIO.xsd');
export const examplesDir = join(sharedDir, 'openscenario', 'examples');

if (!existsSync(xsdPath))
  throw new Error(`OpenSCENARIO.xsd not found at ${xsdPath}: set DRIVELAB_SHARED_DIR to the shared folder`);

export function readExample(name: string): string {
  return readFileSync(join(examplesDir, name), 'utf8');
}

export interface LintResult {
  code: number | null;
  output: string;
}

/** Validates each document with xmllint against the ASAM schema, through a temp file as CI would. */
export function validateWithXmllint(docs: Record<string, string>): Record<string, LintResult> {
  const dir = mkdtempSync(join(tmpdir(), 'drivelab-xosc-'));
  try {
    const out: Record<string, LintResult> = {};
    for (const [name, xml] of Object.entries(docs)) {
      const file = join(dir, `${name}.xosc`);
      writeFileSync(file, xml);
      const r = spawnSync('xmllint', ['--noout', '--schema', xsdPath, file], { encoding: 'utf8' });
      if (r.error) throw new Error(`cannot run xmllint (Debian package libxml2-utils): ${r.error.message}`);
      out[name] = { code: r.status, output: `${r.stdout}${r.stderr}` };
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
