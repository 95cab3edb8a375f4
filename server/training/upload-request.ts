import { uploadOptionsSchema, type UploadOptions } from '../contracts/training';
import { trainingConfig } from './config';

/** Upload limit in bytes (DATASET_UPLOAD_MAX_MB, default 50). */
function uploadLimitBytes(): number {
  return Math.round(trainingConfig().DATASET_UPLOAD_MAX_MB * 1024 * 1024);
}

export type UploadRequest =
  | { ok: true; fileName: string; bytes: Uint8Array; options: UploadOptions }
  | { ok: false; status: number; error: string; issues?: { path: string; message: string }[] };

/**
 * Reads a multipart upload: `file` (the table) and `options` (JSON, uploadOptionsSchema). The
 * declared length is checked before the body is read, the real size after.
 */
export async function readUploadRequest(req: Request): Promise<UploadRequest> {
  const limit = uploadLimitBytes();
  const declared = Number(req.headers.get('content-length') ?? 0);
  if (declared > limit + 64 * 1024)
    return { ok: false, status: 413, error: `The upload is larger than ${Math.round(limit / 1024 / 1024)} MB` };
  if (!(req.headers.get('content-type') ?? '').startsWith('multipart/form-data'))
    return { ok: false, status: 400, error: 'Send multipart/form-data with "file" and "options" (JSON)' };
  // Read with a running count: a body without (or lying about) content-length is cut off at the
  // limit instead of being buffered whole.
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (req.body) {
    const reader = req.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit + 64 * 1024) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, status: 413, error: `The upload is larger than ${Math.round(limit / 1024 / 1024)} MB` };
      }
      chunks.push(value);
    }
  }
  let form: FormData;
  try {
    form = await new Response(Buffer.concat(chunks), {
      headers: { 'content-type': req.headers.get('content-type')! },
    }).formData();
  } catch {
    return { ok: false, status: 400, error: 'The body is not valid multipart/form-data' };
  }
  const file = form.get('file');
  if (!file || typeof file === 'string') return { ok: false, status: 400, error: 'Missing the "file" part' };
  if (file.size > limit)
    return { ok: false, status: 413, error: `The file is larger than ${Math.round(limit / 1024 / 1024)} MB` };
  const rawOptions = form.get('options');
  let json: unknown;
  try {
    json = JSON.parse(typeof rawOptions === 'string' ? rawOptions : '');
  } catch {
    return { ok: false, status: 400, error: 'The "options" part must be JSON' };
  }
  const parsed = uploadOptionsSchema.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      status: 400,
      error: 'Invalid upload options',
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    };
  const fileName = (file.name || 'upload.txt').replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 200);
  return { ok: true, fileName, bytes: new Uint8Array(await file.arrayBuffer()), options: parsed.data };
}
