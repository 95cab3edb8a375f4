import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { env } from '../env';
import { checkObjectKey } from './object-key';
import type { ObjectInfo, ObjectStore } from './object-store-types';
import { s3ObjectStore } from './s3-object-store';

export type { ObjectInfo, ObjectReader, ObjectStore, ObjectWriter } from './object-store-types';

function safeKey(key: string): string {
  return checkObjectKey(key).join(sep);
}

/** Suffix of a file being written: renamed away on commit, never listed. */
const PARTIAL = '.partial';

/** Every regular file below a folder (none when it does not exist). */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

export function localObjectStore(root: string = resolve(env.DATA_DIR)): ObjectStore {
  const pathOf = (key: string) => join(root, safeKey(key));
  return {
    async createWriter(key) {
      const final = pathOf(key);
      // A unique temporary name beside the final one: rename is atomic on one file system.
      const tmp = `${final}.${process.pid}.${Date.now()}${PARTIAL}`;
      await mkdir(dirname(final), { recursive: true });
      const stream: WriteStream = createWriteStream(tmp);
      await new Promise<void>((ok, fail) => stream.once('open', () => ok()).once('error', fail));
      let bytes = 0;
      let failure: Error | null = null;
      stream.on('error', (err) => (failure = err));
      const closeStream = () => new Promise<void>((ok) => stream.end(() => ok()));
      return {
        get bytes() {
          return bytes;
        },
        async write(chunk) {
          if (failure) throw failure;
          bytes += chunk.byteLength;
          // Respect back-pressure so a long run never buffers a whole file in memory.
          if (!stream.write(chunk)) await new Promise<void>((ok) => stream.once('drain', () => ok()));
        },
        async commit() {
          await closeStream();
          if (failure) throw failure;
          await rename(tmp, final);
        },
        async abort() {
          await closeStream();
          await rm(tmp, { force: true });
        },
      };
    },
    async openReader(key) {
      const handle = await open(pathOf(key), 'r').catch(() => null);
      if (!handle) return null;
      return {
        size: async () => BigInt((await handle.stat()).size),
        async read(offset, length) {
          const buf = new Uint8Array(Number(length));
          const { bytesRead } = await handle.read(buf, 0, buf.length, Number(offset));
          return bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
        },
        close: () => handle.close(),
      };
    },
    async list(prefix) {
      const out: ObjectInfo[] = [];
      for (const p of await filesUnder(prefix ? pathOf(prefix.replace(/\/$/, '')) : root)) {
        if (p.endsWith(PARTIAL)) continue;
        const s = await stat(p);
        out.push({ key: relative(root, p).split(sep).join('/'), size: s.size, modifiedAt: s.mtime });
      }
      return out.sort((a, b) => a.key.localeCompare(b.key));
    },
    async remove(key) {
      await rm(pathOf(key), { force: true });
    },
    async sweepUnfinished(olderThanMs) {
      let removed = 0;
      const cutoff = Date.now() - olderThanMs;
      for (const p of await filesUnder(root)) {
        if (!p.endsWith(PARTIAL)) continue;
        const s = await stat(p).catch(() => null);
        if (s && s.mtimeMs < cutoff) {
          await rm(p, { force: true });
          removed++;
        }
      }
      return removed;
    },
  };
}

const globalForStore = globalThis as typeof globalThis & { drivelabObjectStore?: ObjectStore };

/** The process-wide object store: S3 when S3_ENDPOINT is set, else the local directory DATA_DIR. */
export function objectStore(): ObjectStore {
  return (globalForStore.drivelabObjectStore ??= env.S3_ENDPOINT
    ? s3ObjectStore(s3ConfigFromEnv(env.S3_ENDPOINT))
    : localObjectStore());
}

function s3ConfigFromEnv(endpoint: string) {
  if (!env.S3_ACCESS_KEY_ID || !env.S3_SECRET_ACCESS_KEY)
    throw new Error('S3_ENDPOINT is set: set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY too');
  return {
    endpoint,
    bucket: env.S3_BUCKET,
    region: env.S3_REGION,
    accessKeyId: env.S3_ACCESS_KEY_ID,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY,
    forcePathStyle: env.S3_FORCE_PATH_STYLE === '1',
    prefix: env.S3_PREFIX,
  };
}
