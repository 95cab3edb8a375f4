import type { ObjectInfo, ObjectReader, ObjectStore, ObjectWriter } from './object-store-types';
import { checkObjectKey } from './object-key';
import { EMPTY_SHA256, sha256Hex, signS3Request, uriEncode, type S3Credentials } from './s3-signer';

/**
 * The object store on any S3-compatible service (AWS S3, MinIO, Ceph, R2…), spoken over plain
 * HTTP with Signature V4. Writers use multipart uploads, so a long run's recording streams out in
 * parts and never sits whole in memory, and it appears under its key only when completed.
 */
export interface S3StoreConfig extends S3Credentials {
  endpoint: string;
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

function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1];
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

export function s3ObjectStore(cfg: S3StoreConfig): ObjectStore {
  const partSize = Math.max(MIN_PART, cfg.partSize ?? 8 * 1024 * 1024);
  const base = new URL(cfg.endpoint);
  const fullKey = (key: string) => (checkObjectKey(key), `${cfg.prefix ?? ''}${key}`);

  function urlFor(key: string | null, query: Record<string, string> = {}): URL {
    const path = key === null ? '' : uriEncode(key, true);
    const u = cfg.forcePathStyle
      ? new URL(`${base.protocol}//${base.host}${base.pathname.replace(/\/$/, '')}/${cfg.bucket}/${path}`)
      : new URL(`${base.protocol}//${cfg.bucket}.${base.host}${base.pathname.replace(/\/$/, '')}/${path}`);
    for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
    return u;
  }

  async function send(
    method: string,
    url: URL,
    opts: { body?: Uint8Array; headers?: Record<string, string>; ok?: number[] } = {},
  ): Promise<Response> {
    const body = opts.body;
    const headers = signS3Request(
      {
        method,
        url,
        headers: { ...(opts.headers ?? {}), ...(body ? { 'content-length': String(body.byteLength) } : {}) },
        payloadHash: body ? sha256Hex(body) : EMPTY_SHA256,
      },
      cfg,
    );
    const res = await fetch(url, { method, headers, body: body as BodyInit | undefined });
    if ((opts.ok ?? [200]).includes(res.status)) return res;
    const text = await res.text().catch(() => '');
    throw new S3Error(
      res.status,
      tag(text, 'Code') ?? `HTTP ${res.status}`,
      `S3 ${method} ${url.pathname}: ${tag(text, 'Message') ?? tag(text, 'Code') ?? res.statusText}`,
    );
  }

  return {
    async createWriter(key) {
      const k = fullKey(key);
      let uploadId: string | null = null;
      const etags: string[] = [];
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
      const uploadPart = async (data: Uint8Array) => {
        if (uploadId === null) {
          const res = await send('POST', urlFor(k, { uploads: '' }));
          uploadId = tag(await res.text(), 'UploadId') ?? null;
          if (!uploadId) throw new Error(`S3 did not return an upload id for ${k}`);
        }
        const res = await send('PUT', urlFor(k, { partNumber: String(etags.length + 1), uploadId }), { body: data });
        etags.push(res.headers.get('etag') ?? '');
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
          if (uploadId === null) {
            // Small object: one PUT, visible atomically.
            await send('PUT', urlFor(k), { body: take() });
            return;
          }
          if (bufferedBytes > 0) await uploadPart(take());
          const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
          const res = await send('POST', urlFor(k, { uploadId }), {
            body: Buffer.from(xml),
            headers: { 'content-type': 'application/xml' },
          });
          // S3 can answer 200 with an error document when completion fails late.
          const text = await res.text();
          if (tag(text, 'Error') !== undefined || (tag(text, 'Code') && !tag(text, 'ETag')))
            throw new S3Error(
              500,
              tag(text, 'Code') ?? 'InternalError',
              `S3 completing ${k}: ${tag(text, 'Message') ?? text.slice(0, 200)}`,
            );
        },
        async abort() {
          done = true;
          buffered = [];
          bufferedBytes = 0;
          // Servers without AbortMultipartUpload (405/501) leave the parts to the bucket's
          // lifecycle rule; the object itself never appears either way.
          if (uploadId !== null) await send('DELETE', urlFor(k, { uploadId }), { ok: [200, 204, 404, 405, 501] });
        },
      };
      return writer;
    },

    async openReader(key): Promise<ObjectReader | null> {
      const url = urlFor(fullKey(key));
      const head = await send('HEAD', url, { ok: [200, 404] });
      if (head.status === 404) return null;
      const size = BigInt(head.headers.get('content-length') ?? '0');
      // Pin the version we saw, so a reader never mixes bytes of two uploads of one key.
      const etag = head.headers.get('etag');
      return {
        size: async () => size,
        async read(offset, length) {
          if (length <= 0n || offset >= size) return new Uint8Array(0);
          const end = offset + length > size ? size - 1n : offset + length - 1n;
          const res = await send('GET', url, {
            headers: { range: `bytes=${offset}-${end}`, ...(etag ? { 'if-match': etag } : {}) },
            ok: [200, 206],
          });
          const buf = new Uint8Array(await res.arrayBuffer());
          // A server that ignores Range answers 200 with the whole object.
          return res.status === 200 && buf.byteLength === Number(size)
            ? buf.subarray(Number(offset), Number(end) + 1)
            : buf;
        },
        close: async () => undefined,
      };
    },

    async list(prefix) {
      const out: ObjectInfo[] = [];
      let token: string | undefined;
      const strip = cfg.prefix ?? '';
      do {
        const res = await send(
          'GET',
          urlFor(null, {
            'list-type': '2',
            prefix: `${strip}${prefix}`,
            ...(token ? { 'continuation-token': token } : {}),
          }),
        );
        const xml = await res.text();
        for (const m of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
          const body = m[1]!;
          const key = unescapeXml(tag(body, 'Key') ?? '');
          out.push({
            key: key.slice(strip.length),
            size: Number(tag(body, 'Size') ?? 0),
            modifiedAt: new Date(tag(body, 'LastModified') ?? 0),
          });
        }
        token = tag(xml, 'IsTruncated') === 'true' ? tag(xml, 'NextContinuationToken') : undefined;
      } while (token);
      return out.sort((a, b) => a.key.localeCompare(b.key));
    },

    async remove(key) {
      await send('DELETE', urlFor(fullKey(key)), { ok: [200, 204, 404] });
    },

    async sweepUnfinished(olderThanMs) {
      // Multipart uploads that were never completed (ListMultipartUploads, then abort each).
      const res = await send('GET', urlFor(null, { uploads: '', prefix: cfg.prefix ?? '' }), { ok: [200, 405, 501] });
      if (res.status !== 200) return 0; // not offered by this server: leave it to a lifecycle rule
      const xml = await res.text();
      const cutoff = Date.now() - olderThanMs;
      let removed = 0;
      for (const m of xml.matchAll(/<Upload>([\s\S]*?)<\/Upload>/g)) {
        const key = unescapeXml(tag(m[1]!, 'Key') ?? '');
        const uploadId = tag(m[1]!, 'UploadId');
        const initiated = Date.parse(tag(m[1]!, 'Initiated') ?? '');
        if (!uploadId || !(initiated < cutoff)) continue;
        await send('DELETE', urlFor(key, { uploadId }), { ok: [200, 204, 404] });
        removed++;
      }
      return removed;
    },
  };
}
