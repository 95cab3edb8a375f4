import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import ts from 'typescript';

/** One import edge between two source files of the repository (package imports are left out). */
export interface ImportEdge {
  from: string;
  to: string;
  /** `import type` / `export type`: erased at compile time, so it cannot close a runtime cycle. */
  typeOnly: boolean;
}

const SOURCE_DIRS = ['app', 'components', 'server', 'workers', 'scripts', 'prisma', 'tests', 'e2e'];
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.js', '.mjs'];

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(full);
  }
}

/** Every TypeScript source file of the repository, as paths relative to `root` with `/`. */
export function sourceFiles(root: string): string[] {
  const files: string[] = [];
  for (const d of SOURCE_DIRS) if (existsSync(join(root, d))) walk(join(root, d), files);
  for (const f of readdirSync(root)) if (/\.(ts|tsx)$/.test(f) && !f.endsWith('.d.ts')) files.push(join(root, f));
  return files.map((f) => relative(root, f).split(sep).join('/')).sort();
}

function resolveSpecifier(root: string, fromFile: string, spec: string): string | undefined {
  let base: string;
  if (spec.startsWith('~/')) base = join(root, spec.slice(2));
  else if (spec.startsWith('.')) base = join(root, dirname(fromFile), spec);
  else return undefined;
  const stripped = base.replace(/\.(js|mjs)$/, '');
  const candidates = [base, ...EXTENSIONS.map((e) => stripped + e), ...EXTENSIONS.map((e) => join(base, 'index' + e))];
  for (const c of candidates) if (existsSync(c) && statSync(c).isFile()) return relative(root, c).split(sep).join('/');
  return undefined;
}

/** The import edges of one file: static imports, re-exports and `import()` calls. */
function importsOf(root: string, file: string): ImportEdge[] {
  const text = readFileSync(join(root, file), 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const edges: ImportEdge[] = [];
  const add = (spec: string, typeOnly: boolean) => {
    const to = resolveSpecifier(root, file, spec);
    if (to && to !== file) edges.push({ from: file, to, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        !!clause &&
        (clause.phaseModifier === ts.SyntaxKind.TypeKeyword ||
          (!clause.name &&
            !!clause.namedBindings &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier.text, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      add(node.arguments[0].text, false);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      add(node.argument.literal.text, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

export function importGraph(root: string): ImportEdge[] {
  return sourceFiles(root).flatMap((f) => importsOf(root, f));
}

/** Strongly connected components with more than one node (Tarjan), each sorted. */
export function cycles(edges: { from: string; to: string }[]): string[][] {
  const adj = new Map<string, string[]>();
  for (const e of edges) {
    if (e.from === e.to) continue;
    adj.set(e.from, [...(adj.get(e.from) ?? []), e.to]);
    if (!adj.has(e.to)) adj.set(e.to, []);
  }
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of adj.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of adj.keys()) if (!idx.has(v)) strong(v);
  return out;
}

/** The folder of a file (its directory), the unit of a "folder loop". */
export const folderOf = (file: string) => dirname(file);

const within = (folder: string, other: string) => other === folder || other.startsWith(folder + '/');

/**
 * Loops between folders, such as a/ importing b/ while b/ imports a/. An edge between a folder and
 * one of its own ancestors (routers/ importing the trpc/ init beside the root that lists them) is
 * nesting, not a loop, and is left out.
 */
export function folderLoops(edges: ImportEdge[]): string[][] {
  const folderEdges = edges
    .map((e) => ({ from: folderOf(e.from), to: folderOf(e.to) }))
    .filter((e) => !within(e.from, e.to) && !within(e.to, e.from));
  return cycles(folderEdges);
}

if (process.argv[1]?.endsWith('import-graph.ts')) {
  const root = process.cwd();
  const edges = importGraph(root);
  const runtime = edges.filter((e) => !e.typeOnly);
  console.log('file cycles (runtime):', cycles(runtime));
  console.log('file cycles (incl. types):', cycles(edges));
  console.log('folder loops:', folderLoops(edges));
}
