import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { ObjectInfo, ObjectReader, ObjectStore, ObjectWriter } from './object-store-types';
import { checkObjectKey } from './object-key';

/**
 * The object store on any S3-compatible service (AWS S3, MinIO, Ceph, R2…) through the AWS SDK
 * (signing, retries, checksums and the services' quirks are its job). Writers use multipart
 * uploads, so a long run's recording streams out in parts and never sits whole in memory, and it
 * appears under its key only when completed.
 */
export interface S3StoreConfig {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  /** Path-style URLs (endpoint/bucket/key): what MinIO and most self-hosted stores want. */
  forcePathStyle: boolean;
  /** Prepended to every key, so several deployments can share a bucket. */
  prefix?: string;
  /** Multipart part size (S3 requires ≥ 5 MiB for every part but the last). */
  partSize?: number;
}

export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const MIN_PART = 5 * 1024 * 1024;

const statusOf = (err: unknown) => (err instanceof S3ServiceException ? (err.$metadata.httpStatusCode ?? 0) : 0);

export function s3ObjectStore(cfg: S3StoreConfig): ObjectStore {
  const partSize = Math.max(MIN_PART, cfg.partSize ?? 8 * 1024 * 1024);
  const client = new S3Client({
    endpoint: cfg.endpoint,
    region: cfg.region,
    forcePathStyle: cfg.forcePathStyle,
    credentials: { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey },
    // Checksums only where S3 demands them: several S3-compatible stores reject the newer
    // flexible-checksum headers the SDK would otherwise add to every upload.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Bucket = cfg.bucket;
  const strip = cfg.prefix ?? '';
  const fullKey = (key: string) => (checkObjectKey(key), `${strip}${key}`);

  /** One request; a service error becomes an S3Error that names the request and the service's message. */
  async function call<T>(
    method: string,
    key: string | null,
    run: () => Promise<T>,
    ok: number[] = [],
  ): Promise<T | null> {
    try {
      return await run();
    } catch (err) {
      const status = statusOf(err);
      if (ok.includes(status)) return null;
      if (!(err instanceof S3ServiceException)) throw err;
      throw new S3Error(status, err.name, `S3 ${method} /${Bucket}/${key ?? ''}: ${err.message || err.name}`);
    }
  }
  const must = async <T>(method: string, key: string | null, run: () => Promise<T>) =>
    (await call(method, key, run)) as T;

  return {
    async createWriter(key) {
      const Key = fullKey(key);
      let UploadId: string | null = null;
      const parts: { ETag: string; PartNumber: number }[] = [];
      let buffered: Uint8Array[] = [];
      let bufferedBytes = 0;
      let bytes = 0;
      let done = false;

      const take = (): Uint8Array => {
        const out = Buffer.concat(buffered, bufferedBytes);
        buffered = [];
        bufferedBytes = 0;
        return out;
      };
      const uploadPart = async (Body: Uint8Array) => {
        if (UploadId === null) {
          const created = await must('POST', Key, () => client.send(new CreateMultipartUploadCommand({ Bucket, Key })));
          if (!created.UploadId) throw new Error(`S3 did not return an upload id for ${Key}`);
          UploadId = created.UploadId;
        }
        const PartNumber = parts.length + 1;
        const id = UploadId;
        const res = await must('PUT', Key, () =>
          client.send(new UploadPartCommand({ Bucket, Key, UploadId: id, PartNumber, Body })),
        );
        parts.push({ ETag: res.ETag ?? '', PartNumber });
      };

      const writer: ObjectWriter = {
        get bytes() {
          return bytes;
        },
        async write(chunk) {
          if (done) throw new Error('writer already closed');
          buffered.push(chunk.slice());
          bufferedBytes += chunk.byteLength;
          bytes += chunk.byteLength;
          if (bufferedBytes >= partSize) await uploadPart(take());
        },
        async commit() {
          if (done) throw new Error('writer already closed');
          done = true;
          if (UploadId === null) {
            // Small object: one PUT, visible atomically.
            const Body = take();
            await must('PUT', Key, () => client.send(new PutObjectCommand({ Bucket, Key, Body })));
            return;
          }
          if (bufferedBytes > 0) await uploadPart(take());
          const id = UploadId;
          // The SDK turns S3's "200 with an error document" on late completion failures into an error.
          await must('POST', Key, () =>
            client.send(
              new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: id, MultipartUpload: { Parts: parts } }),
            ),
          );
        },
        async abort() {
          done = true;
          buffered = [];
          bufferedBytes = 0;
          // Servers without AbortMultipartUpload (405/501) leave the parts to the bucket's
          // lifecycle rule; the object itself never appears either way.
          const id = UploadId;
          if (id !== null)
            await call(
              'DELETE',
              Key,
              () => client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: id })),
              [404, 405, 501],
            );
        },
      };
      return writer;
    },

    async openReader(key): Promise<ObjectReader | null> {
      const Key = fullKey(key);
      const head = await call('HEAD', Key, () => client.send(new HeadObjectCommand({ Bucket, Key })), [404]);
      if (!head) return null;
      const size = BigInt(head.ContentLength ?? 0);
      // Pin the version we saw, so a reader never mixes bytes of two uploads of one key.
      const IfMatch = head.ETag;
      return {
        size: async () => size,
        async read(offset, length) {
          if (length <= 0n || offset >= size) return new Uint8Array(0);
          const end = offset + length > size ? size - 1n : offset + length - 1n;
          const res = await must('GET', Key, () =>
            client.send(new GetObjectCommand({ Bucket, Key, Range: `bytes=${offset}-${end}`, IfMatch })),
          );
          const buf = res.Body ? await res.Body.transformToByteArray() : new Uint8Array(0);
          // A server that ignores Range answers with the whole object.
          return buf.byteLength === Number(size) && buf.byteLength !== Number(end - offset + 1n)
            ? buf.subarray(Number(offset), Number(end) + 1)
            : buf;
        },
        close: async () => undefined,
      };
    },

    async list(prefix) {
      const out: ObjectInfo[] = [];
      let ContinuationToken: string | undefined;
      do {
        const token = ContinuationToken;
        const res = await must('GET', null, () =>
          client.send(new ListObjectsV2Command({ Bucket, Prefix: `${strip}${prefix}`, ContinuationToken: token })),
        );
        for (const o of res.Contents ?? []) {
          out.push({
            key: (o.Key ?? '').slice(strip.length),
            size: o.Size ?? 0,
            modifiedAt: o.LastModified ?? new Date(0),
          });
        }
        ContinuationToken = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (ContinuationToken);
      return out.sort((a, b) => a.key.localeCompare(b.key));
    },

    async remove(key) {
      const Key = fullKey(key);
      await call('DELETE', Key, () => client.send(new DeleteObjectCommand({ Bucket, Key })), [404]);
    },

    async sweepUnfinished(olderThanMs) {
      // Multipart uploads that were never completed (ListMultipartUploads, then abort each).
      const res = await call(
        'GET',
        null,
        () => client.send(new ListMultipartUploadsCommand({ Bucket, Prefix: strip })),
        [405, 501],
      );
      if (!res) return 0; // not offered by this server: leave it to a lifecycle rule
      const cutoff = Date.now() - olderThanMs;
      let removed = 0;
      for (const u of res.Uploads ?? []) {
        const { Key, UploadId } = u;
        if (!Key || !UploadId || !(u.Initiated && u.Initiated.getTime() < cutoff)) continue;
        await call('DELETE', Key, () => client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })), [404]);
        removed++;
      }
      return removed;
    },
  };
}
