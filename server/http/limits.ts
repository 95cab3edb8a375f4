import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../contracts/json-depth';
import { AppError } from '../errors';

export { jsonDepthExceeds, MAX_JSON_DEPTH };

/**
 * Size and depth limits for every HTTP body DriveLab reads (web routes, tRPC, OIP). A body over
 * its limit is refused with 413 as soon as the declared length or the running count says so: it
 * is never buffered whole first. JSON deeper than MAX_JSON_DEPTH is refused with 400 before it is
 * parsed, so no later recursive walk (zod, flattening, Prisma) meets it.
 */

export const BODY_LIMITS = {
  /** /api/v1 JSON routes (predict, training jobs): requests are a few KiB. */
  restJson: 1024 * 1024,
  /** /api/trpc: the largest input is a .xosc import of up to 2 MiB as a JSON string. */
  trpc: 8 * 1024 * 1024,
  /** OIP v2 infer (workers/inference): a batch of rows of features. */
  oip: 16 * 1024 * 1024,
} as const;

export function tooLarge(limit: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than ${formatBytes(limit)}`, {
    extra: { limitBytes: limit },
  });
}

/** The Content-Length a client declared, or null when it sent none (chunked) or nonsense. */
export function declaredLength(value: string | null | undefined): number | null {
  if (value === null || value === undefined || !/^\d{1,15}$/.test(value)) return null;
  return Number(value);
}

/**
 * Reads a fetch Request's body with a running count: refused before reading when the declared
 * length is over the limit, and cut off at the limit when the body is chunked or lies.
 */
export async function readBodyBytes(req: Request, limit: number): Promise<Uint8Array> {
  const declared = declaredLength(req.headers.get('content-length'));
  if (declared !== null && declared > limit) throw tooLarge(limit);
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** JSON.parse with the depth limit and the one error shape (400) for text that is not JSON. */
export function parseJsonText(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (jsonDepthExceeds(text, maxDepth))
    throw new AppError('BAD_REQUEST', `The JSON is nested deeper than ${maxDepth} levels`, {
      issues: [{ path: '', code: 'too_deep', message: `nesting deeper than ${maxDepth} levels` }],
    });
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new AppError('BAD_REQUEST', 'The body must be JSON', {
      issues: [{ path: '', code: 'invalid_json', message: (err as Error).message.slice(0, 200) }],
    });
  }
}

/**
 * A body's text, or a 400 when it is not UTF-8: decoding leniently would turn the bad bytes into
 * U+FFFD and a name into one nobody sent, without a word.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new AppError('BAD_REQUEST', 'The body is not UTF-8 text', {
      issues: [{ path: '', code: 'invalid_utf8', message: 'the bytes are not valid UTF-8' }],
    });
  }
}

/** A bounded JSON body: size limit (413), UTF-8, depth limit and syntax (400). */
export async function readJsonBody(req: Request, limit: number = BODY_LIMITS.restJson): Promise<unknown> {
  const bytes = await readBodyBytes(req, limit);
  return parseJsonText(decodeUtf8(bytes));
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MiB` : `${Math.round(n / 1024)} KiB`;
}
