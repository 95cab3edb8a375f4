import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error s3rver ships no type declarations
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localObjectStore, type ObjectStore } from '~/server/store/object-store';
import { s3ObjectStore } from '~/server/store/s3-object-store';

/**
 * One contract, two backends: the local directory and an S3-compatible server (s3rver; it checks
 * the access key id, the AWS SDK signs). What the recorder and the model registry
 * rely on — invisible until committed, multipart streaming, range reads, listing, removal — must
 * hold on both.
 */
const dirs: string[] = [];
let s3: S3rver;
let endpoint = '';

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'drivelab-s3-'));
  dirs.push(dir);
  s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: 'drivelab-test', configs: [] }],
  });
  const addr = (await s3.run()) as { address: string; port: number };
  endpoint = `http://${addr.address}:${addr.port}`;
});
afterAll(async () => {
  await s3?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const backends: [string, () => ObjectStore][] = [
  [
    'local directory',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'drivelab-store-'));
      dirs.push(dir);
      return localObjectStore(dir);
    },
  ],
  [
    'S3-compatible',
    () =>
      s3ObjectStore({
        endpoint,
        bucket: 'drivelab-test',
        region: 'us-east-1',
        accessKeyId: 'S3RVER',
        secretAccessKey: 'S3RVER',
        forcePathStyle: true,
        prefix: `t-${randomBytes(3).toString('hex')}/`,
        partSize: 5 * 1024 * 1024,
      }),
  ],
];

describe.each(backends)('object store: %s', (_name, make) => {
  it('an object appears only when committed, streams in parts and reads back by range', async () => {
    const store = make();
    const key = 'recordings/org_a/run 1.mcap';
    const chunk = randomBytes(1024 * 1024);
    const w = await store.createWriter(key);
    for (let i = 0; i < 12; i++) await w.write(chunk.map((b) => b ^ i));
    expect(w.bytes).toBe(12 * chunk.length);
    expect(await store.openReader(key)).toBeNull();
    expect(await store.list('recordings/')).toEqual([]);
    await w.commit();
    const r = (await store.openReader(key))!;
    expect(await r.size()).toBe(BigInt(12 * chunk.length));
    const middle = await r.read(BigInt(5 * chunk.length + 10), 100n);
    expect(Buffer.from(middle)).toEqual(Buffer.from(chunk.subarray(10, 110).map((b) => b ^ 5)));
    const tail = await r.read(BigInt(12 * chunk.length - 4), 100n);
    expect(tail.byteLength).toBe(4);
    await r.close();
  });

  it('lists by prefix with sizes, removes, and an aborted writer leaves nothing', async () => {
    const store = make();
    for (const k of ['models/o1/m/v1/model.onnx', 'models/o1/m/v2/model.onnx', 'models/o2/x/v1/model.onnx']) {
      const w = await store.createWriter(k);
      await w.write(Buffer.from(k));
      await w.commit();
    }
    const aborted = await store.createWriter('models/o1/m/v3/model.onnx');
    await aborted.write(randomBytes(6 * 1024 * 1024));
    await aborted.abort();
    const listed = await store.list('models/o1/');
    expect(listed.map((o) => [o.key, o.size])).toEqual([
      ['models/o1/m/v1/model.onnx', 25],
      ['models/o1/m/v2/model.onnx', 25],
    ]);
    await store.remove('models/o1/m/v1/model.onnx');
    expect((await store.list('models/o1/')).map((o) => o.key)).toEqual(['models/o1/m/v2/model.onnx']);
    expect(await store.openReader('models/o1/m/v1/model.onnx')).toBeNull();
    await expect(store.createWriter('../escape')).rejects.toThrow(/invalid object key/);
  });
});

it("the local store sweeps writers' leftovers older than the limit and keeps fresh ones", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'drivelab-sweep-'));
  dirs.push(dir);
  const store = localObjectStore(dir);
  const crashed = await store.createWriter('recordings/o/old.mcap');
  await crashed.write(Buffer.from('half a file'));
  const live = await store.createWriter('recordings/o/live.mcap');
  await live.write(Buffer.from('still writing'));
  const partials = readdirSync(join(dir, 'recordings/o')).filter((f) => f.endsWith('.partial'));
  expect(partials).toHaveLength(2);
  const old = partials.find((f) => f.startsWith('old.mcap'))!;
  const hourAgo = new Date(Date.now() - 3_700_000);
  utimesSync(join(dir, 'recordings/o', old), hourAgo, hourAgo);
  expect(await store.sweepUnfinished(3_600_000)).toBe(1);
  expect(readdirSync(join(dir, 'recordings/o')).filter((f) => f.endsWith('.partial'))).toHaveLength(1);
  await live.commit();
  expect((await store.list('recordings/')).map((o) => o.key)).toEqual(['recordings/o/live.mcap']);
});

it('S3 errors reach the caller with the service message (unknown access key, missing bucket)', async () => {
  const stranger = s3ObjectStore({
    endpoint,
    bucket: 'drivelab-test',
    region: 'us-east-1',
    accessKeyId: 'NOBODY',
    secretAccessKey: 'x',
    forcePathStyle: true,
  });
  await expect(stranger.list('')).rejects.toThrow(
    /S3 GET \/drivelab-test\/: The AWS Access Key Id you provided does not exist/,
  );
  const nowhere = s3ObjectStore({
    endpoint,
    bucket: 'no-such-bucket',
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
  });
  await expect((await nowhere.createWriter('a/b')).commit()).rejects.toThrow(/bucket does not exist/);
});
