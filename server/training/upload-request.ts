import { uploadOptionsSchema, type UploadOptions } from '../contracts/training';
import { readFileWithOptions } from '../http/multipart';
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
  const { file, options } = await readFileWithOptions(req, {
    limit: uploadLimitBytes(),
    // The multipart envelope adds a little to the file's own limit.
    envelope: 64 * 1024,
    fileWhat: '',
    schema: uploadOptionsSchema,
    optionsWhat: 'Invalid upload options',
  });
  const fileName = (file.name || 'upload.txt').replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 200);
  return { fileName, bytes: new Uint8Array(await file.arrayBuffer()), options };
}
