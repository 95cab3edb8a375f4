import { uploadOptionsSchema, type UploadOptions } from '../contracts/training';
import { assertSafeInput } from '../contracts/strings';
import { AppError, parseOrThrow } from '../errors';
import { parseJsonText, readBodyBytes, tooLarge } from '../http/limits';
import { trainingConfig } from './config';

/** Upload limit in bytes (DATASET_UPLOAD_MAX_MB, default 50). */
function uploadLimitBytes(): number {
  return Math.round(trainingConfig().DATASET_UPLOAD_MAX_MB * 1024 * 1024);
}

export interface UploadRequest {
  fileName: string;
  bytes: Uint8Array;
  options: UploadOptions;
}

/**
 * Reads a multipart upload: `file` (the table) and `options` (JSON, uploadOptionsSchema). The
 * declared length is checked before the body is read, the real size while it is read (413);
 * every other problem is a 400 naming the part. Throws AppError.
 */
export async function readUploadRequest(req: Request): Promise<UploadRequest> {
  const limit = uploadLimitBytes();
  if (!(req.headers.get('content-type') ?? '').startsWith('multipart/form-data'))
    throw new AppError('BAD_REQUEST', 'Send multipart/form-data with "file" and "options" (JSON)');
  // The multipart envelope adds a little to the file's own limit.
  const body = await readBodyBytes(req, limit + 64 * 1024);
  let form: FormData;
  try {
    form = await new Response(Buffer.from(body), {
      headers: { 'content-type': req.headers.get('content-type')! },
    }).formData();
  } catch {
    throw new AppError('BAD_REQUEST', 'The body is not valid multipart/form-data');
  }
  const file = form.get('file');
  if (!file || typeof file === 'string')
    throw new AppError('BAD_REQUEST', 'Missing the "file" part', {
      issues: [{ path: 'file', code: 'missing', message: 'required' }],
    });
  if (file.size > limit) throw tooLarge(limit);
  const rawOptions = form.get('options');
  const json = parseJsonText(typeof rawOptions === 'string' ? rawOptions : '');
  assertSafeInput(json, ['options']);
  const options = parseOrThrow(uploadOptionsSchema, json, 'Invalid upload options');
  const fileName = (file.name || 'upload.txt').replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 200);
  return { fileName, bytes: new Uint8Array(await file.arrayBuffer()), options };
}
