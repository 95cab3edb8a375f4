import type { z } from 'zod';
import { assertSafeInput } from '../contracts/strings';
import { AppError, parseOrThrow } from '../errors';
import { parseJsonText, readBodyBytes, tooLarge } from './limits';

/**
 * The one reader of our upload shape: multipart/form-data with a `file` part and an `options`
 * part holding JSON. The body is read bounded (limit + the multipart envelope), the file's own
 * size is checked against the limit (413), and the options go through the input policy and the
 * schema (400 naming the part). Dataset and model uploads both use it.
 */
export async function readFileWithOptions<S extends z.ZodType>(
  req: Request,
  spec: { limit: number; envelope: number; fileWhat: string; schema: S; optionsWhat: string },
): Promise<{ file: File; options: z.infer<S> }> {
  if (!(req.headers.get('content-type') ?? '').startsWith('multipart/form-data'))
    throw new AppError('BAD_REQUEST', `Send multipart/form-data with "file"${spec.fileWhat} and "options" (JSON)`);
  const body = await readBodyBytes(req, spec.limit + spec.envelope);
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
    throw new AppError('BAD_REQUEST', `Missing the "file" part${spec.fileWhat}`, {
      issues: [{ path: 'file', code: 'missing', message: 'required' }],
    });
  if (file.size > spec.limit) throw tooLarge(spec.limit);
  const rawOptions = form.get('options');
  const json = parseJsonText(typeof rawOptions === 'string' ? rawOptions : '');
  assertSafeInput(json, ['options']);
  return { file, options: parseOrThrow(spec.schema, json, spec.optionsWhat) };
}
