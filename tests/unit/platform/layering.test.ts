import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cycles, folderLoops, importGraph } from '~/scripts/lib/import-graph';

/**
 * The design's layering, checked on every file's imports (type-only ones included: they still tie
 * the modules together for the reader and the compiler).
 */
const root = resolve(__dirname, '../../..');
const edges = importGraph(root);
const workerOf = (file: string) => /^workers\/([^/]+)\//.exec(file)?.[1];

/**
 * Folder loops another branch is removing; a loop listed here is tolerated, any other fails.
 * Delete the entry once it is gone.
 */
const KNOWN_FOLDER_LOOPS: string[][] = [];

describe('layering', () => {
  it('reads the import graph (the check itself can see imports)', () => {
    expect(edges.length).toBeGreaterThan(500);
    expect(edges).toContainEqual({ from: 'workers/sim/main.ts', to: 'server/env.ts', typeOnly: false });
  });

  it('server/ never imports workers/: what two processes need lives in server/', () => {
    const bad = edges.filter((e) => e.from.startsWith('server/') && e.to.startsWith('workers/'));
    expect(bad.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('no worker imports another worker', () => {
    const bad = edges.filter((e) => workerOf(e.from) && workerOf(e.to) && workerOf(e.from) !== workerOf(e.to));
    expect(bad.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('the web portal (app/, components/) imports no worker', () => {
    const bad = edges.filter((e) => /^(app|components)\//.test(e.from) && e.to.startsWith('workers/'));
    expect(bad.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('benches, e2e and tooling import no test helpers: shared fixtures live in scripts/fixtures', () => {
    const bad = edges.filter((e) => /^(scripts|e2e)\//.test(e.from) && e.to.startsWith('tests/'));
    expect(bad.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('no import cycles between files', () => {
    expect(cycles(edges)).toEqual([]);
  });

  it('no loops between folders', () => {
    const known = new Set(KNOWN_FOLDER_LOOPS.map((l) => l.join(' ')));
    expect(folderLoops(edges).filter((l) => !known.has(l.join(' ')))).toEqual([]);
  });

  it('finds what it forbids (the checks are not vacuous)', () => {
    const fake = [
      { from: 'a/x.ts', to: 'b/y.ts', typeOnly: true },
      { from: 'b/y.ts', to: 'a/x.ts', typeOnly: false },
    ];
    expect(cycles(fake)).toEqual([['a/x.ts', 'b/y.ts']]);
    expect(folderLoops(fake)).toEqual([['a', 'b']]);
    expect(folderLoops([...fake.slice(0, 1), { from: 'a/b/z.ts', to: 'a/x.ts', typeOnly: false }])).toEqual([]);
  });
});
