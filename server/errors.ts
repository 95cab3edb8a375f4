import { ZodError, type z } from 'zod';

/**
 * The one error model of DriveLab.
 *
 * Domain code (everything under server/ and workers/ that is not a transport) throws
 * `new AppError(code, message, details?)` for anything the caller did wrong or cannot have:
 *
 *   throw new AppError('NOT_FOUND', 'Dataset not found');
 *   throw new AppError('BAD_REQUEST', 'Invalid cron expression', { issues: [issue('cron', 'invalid_cron', msg)] });
 *   throw AppError.fromZod(parsed.error);                       // a failed safeParse
 *
 * Each transport maps it exactly once, by `code`, never by the message text:
 * - tRPC: a middleware in server/trpc/init.ts turns it into a TRPCError of the same code; the
 *   errorFormatter puts `issues` into `error.data.issues`.
 * - REST (/api/v1): `errorResponse(err)` / `restRoute(handler)` in server/http/rest.ts.
 * - OIP (workers/inference/http.ts): `errorBody` with the status of `httpStatus(code)`.
 * - Socket.IO: `socketError(err)` in server/realtime/live.ts for `connect_error` and join acks.
 *
 * The wire shape over HTTP is `ErrorBody`: `{ error: short message, code, issues: [{ path, code,
 * message }] }` (OIP's protocol already names the message `error`). Anything that is not an
 * AppError (or a ZodError) is a bug: it is logged and answered 500 without details.
 */

/** The codes, named as tRPC names them so the tRPC mapping is the identity. */
export const APP_ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_SUPPORTED: 405,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE_CONTENT: 422,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;
export type AppErrorCode = keyof typeof APP_ERROR_STATUS;

/** One machine-readable problem: where (dotted path, '' for the whole input), what kind, in words. */
export interface ErrorIssue {
  path: string;
  code: string;
  message: string;
}

export interface AppErrorDetails {
  issues?: ErrorIssue[];
  /** For TOO_MANY_REQUESTS: seconds until a retry may succeed (becomes Retry-After). */
  retryAfterS?: number;
  /** Extra fields a transport adds to the body as they are (e.g. a runId). Never secrets. */
  extra?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly issues: ErrorIssue[];
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details: AppErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'AppError';
    this.issues = details.issues ?? [];
  }

  get status(): number {
    return APP_ERROR_STATUS[this.code];
  }

  /** A failed zod parse as a 400: the first issue names the field in the message. */
  static fromZod(err: ZodError, message = 'Invalid input', prefix: (string | number)[] = []): AppError {
    const issues = zodIssues(err, prefix);
    const first = issues[0];
    const summary = first ? `${message}: ${first.path || '(root)'}: ${first.message}` : message;
    return new AppError('BAD_REQUEST', truncate(summary, 300), { issues });
  }
}

export function issue(path: string, code: string, message: string): ErrorIssue {
  return { path, code, message };
}

export function zodIssues(err: ZodError, prefix: (string | number)[] = []): ErrorIssue[] {
  return err.issues.slice(0, 50).map((i) => ({
    path: [...prefix, ...i.path].map(String).join('.'),
    code: i.code,
    // Bounded, but long enough for a message that lists every allowed name (training parameters).
    message: truncate(i.message, 1000),
  }));
}

/** AppError as is; a ZodError as BAD_REQUEST; anything else is not an input problem: null. */
export function asAppError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return AppError.fromZod(err);
  return null;
}

export interface ErrorBody {
  error: string;
  code: AppErrorCode;
  issues: ErrorIssue[];
  [extra: string]: unknown;
}

/** The HTTP body of an error, the same for REST and OIP. */
export function errorBody(err: AppError): ErrorBody {
  return {
    ...(err.details.extra ?? {}),
    ...(err.details.retryAfterS !== undefined ? { retryAfterS: err.details.retryAfterS } : {}),
    error: err.message,
    code: err.code,
    issues: err.issues,
  };
}

/** Headers an error implies: Retry-After for 429, WWW-Authenticate for 401. */
export function errorHeaders(err: AppError): Record<string, string> {
  if (err.details.retryAfterS !== undefined) return { 'Retry-After': String(err.details.retryAfterS) };
  if (err.code === 'UNAUTHORIZED') return { 'WWW-Authenticate': 'Bearer' };
  return {};
}

export const INTERNAL_MESSAGE = 'Something went wrong on our side; it has been logged.';

/** Parses with a schema or throws the 400 that names the field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, message = 'Invalid input'): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw AppError.fromZod(r.error, message);
  return r.data;
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
