import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL_TYPE_KINDS, TRAINING_PARAM_NAMES } from '~/server/contracts/training';
import { openApiDocument } from '~/server/http/openapi';

const API_DIR = join(process.cwd(), 'app', 'api', 'v1');

/** Every route handler under app/api/v1 as (method, OpenAPI path), read from the files themselves. */
function routeFiles(dir = API_DIR): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...routeFiles(full));
    else if (entry.name === 'route.ts') {
      // The catch-all under /api/v1 only answers unknown paths with a JSON 404; it is no route.
      if (relative(API_DIR, dir).includes('[...')) continue;
      const segments = relative(API_DIR, dir).split(sep).filter(Boolean);
      const path = ['/api/v1', ...segments.map((s) => s.replace(/^\[(\w+)\]$/, '{$1}'))].join('/');
      const source = readFileSync(full, 'utf8');
      for (const m of source.matchAll(/export\s+(?:(?:async\s+)?function|const)\s+(GET|POST|PUT|PATCH|DELETE)\b/g))
        out.push({ method: m[1]!.toLowerCase(), path });
    }
  }
  return out;
}

describe('OpenAPI document of /api/v1', () => {
  const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, any>> };

  it('lists every route under app/api/v1 with its methods, and nothing that is not there', () => {
    const routes = routeFiles();
    expect(routes.length).toBeGreaterThan(10);
    const missing = routes.filter((r) => !doc.paths[r.path]?.[r.method]).map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
    const documented = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith('/api/v1/'))
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    const present = new Set(routes.map((r) => `${r.method} ${r.path}`));
    expect(documented.filter((d) => !present.has(d))).toEqual([]);
  });

  it('is OpenAPI 3.1 with request bodies generated from the zod contracts', () => {
    expect(doc.openapi).toBe('3.1.0');
    const train = doc.paths['/api/v1/training/jobs']!.post.requestBody.content['application/json'].schema;
    expect(train.properties.model_type.enum).toEqual(Object.keys(MODEL_TYPE_KINDS));
    expect(Object.keys(train.properties.config.properties)).toEqual(TRAINING_PARAM_NAMES);
    expect(train.properties.config.additionalProperties).toBe(false);
    expect(train.additionalProperties).toBe(false);
    const predict = doc.paths['/api/v1/models/predict']!.post.requestBody.content['application/json'].schema;
    expect(predict.required).toEqual(expect.arrayContaining(['model', 'features']));
    expect(doc.paths['/health']!.get.security).toEqual([]);
    expect(doc.paths['/api/v1/models/{model}/aliases/{alias}']!.post.parameters.map((p: any) => p.name)).toEqual([
      'model',
      'alias',
    ]);
  });
});
