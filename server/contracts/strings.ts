import { z } from 'zod';
import { AppError, type ErrorIssue } from '../errors';

/**
 * The one input policy for strings, applied where input enters (REST, tRPC, Socket.IO, Kafka
 * contracts, uploads). Postgres cannot store U+0000 in text, and no name or identifier of ours
 * means anything with a control character or half a surrogate pair in it, so:
 * - every string anywhere in an input refuses NUL, C0 controls other than tab/LF/CR, DEL and
 *   lone surrogates (`inputStringProblem`, enforced for whole inputs by `assertSafeInput`);
 * - identifiers and single-line names also refuse tab, LF and CR (`singleLine`, `name`, `id`);
 * - free text (descriptions, notes, XML documents) keeps tab/LF/CR (`text`).
 * A field that really carries other control characters would say so explicitly; none does today.
 */

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const LINE_BREAK_OR_TAB = /[\t\n\r]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Object keys that would reach a prototype when copied into a plain object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function describe(ch: string): string {
  return ch === '\u0000' ? 'NUL (U+0000)' : `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Why a string may not enter, or null: control characters (other than tab/LF/CR) and lone surrogates. */
export function inputStringProblem(s: string): { code: string; message: string } | null {
  const m = CONTROL.exec(s);
  if (m) return { code: 'control_character', message: `contains the control character ${describe(m[0])}` };
  if (LONE_SURROGATE.test(s)) return { code: 'lone_surrogate', message: 'contains an unpaired UTF-16 surrogate' };
  return null;
}

/** The stricter rule of names and identifiers: no tab, line break or other control character. */
export function singleLineProblem(s: string): { code: string; message: string } | null {
  const p = inputStringProblem(s);
  if (p) return p;
  const m = LINE_BREAK_OR_TAB.exec(s);
  return m ? { code: 'control_character', message: `contains the control character ${describe(m[0])}` } : null;
}

function refined(check: (s: string) => { code: string; message: string } | null) {
  return (s: string, ctx: z.core.$RefinementCtx<string>) => {
    const p = check(s);
    if (p) ctx.addIssue({ code: 'custom', message: p.message, params: { reason: p.code } });
  };
}

/** Free text (descriptions, notes, documents): tab/LF/CR allowed, other controls refused. */
export const text = (max: number) => z.string().max(max).superRefine(refined(inputStringProblem));
/** A single-line human name (org, scenario, dataset, model…). */
export const name = (max = 200) => z.string().trim().min(1).max(max).superRefine(refined(singleLineProblem));
/** A single-line string with no control characters (labels, slugs, keys). */
export const singleLine = (max: number) => z.string().max(max).superRefine(refined(singleLineProblem));
/** An opaque identifier (cuid, uuid, slug, run id): a conservative character set. */
export const identifier = (max = 64) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'must be letters, digits, "_", ".", ":" or "-"');

/**
 * The first string (value or key) anywhere in `value` that breaks the policy, as an issue with
 * its path. Walks iteratively (no recursion) and stops at `maxNodes` nodes and `maxDepth` levels,
 * so a hostile input costs a bounded amount of work.
 */
export function findUnsafeString(value: unknown, maxDepth = 400, maxNodes = 1_000_000): ErrorIssue | null {
  return walk(value, maxDepth, maxNodes, true);
}

/** The first `__proto__`, `constructor` or `prototype` key anywhere in `value` (same bounded walk). */
export function findForbiddenKey(value: unknown, maxDepth = 400, maxNodes = 1_000_000): ErrorIssue | null {
  return walk(value, maxDepth, maxNodes, false);
}

function walk(value: unknown, maxDepth: number, maxNodes: number, strings: boolean): ErrorIssue | null {
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }];
  let nodes = 0;
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (++nodes > maxNodes) return { path: path.join('.'), code: 'too_large', message: 'the input is too large' };
    if (typeof v === 'string') {
      const p = strings ? inputStringProblem(v) : null;
      if (p) return { path: path.join('.'), code: p.code, message: p.message };
    } else if (v !== null && typeof v === 'object') {
      if (path.length >= maxDepth)
        return { path: path.join('.'), code: 'too_deep', message: `nested deeper than ${maxDepth} levels` };
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, i] });
      } else if (isPlainData(v)) {
        for (const k of Object.keys(v)) {
          const kp = strings ? inputStringProblem(k) : null;
          if (kp) return { path: [...path, k].join('.'), code: kp.code, message: `a key ${kp.message}` };
          if (FORBIDDEN_KEYS.has(k))
            return { path: [...path, k].join('.'), code: 'forbidden_key', message: `"${k}" is not allowed as a key` };
          stack.push({ v: (v as Record<string, unknown>)[k], path: [...path, k] });
        }
      }
    }
  }
  return null;
}

/**
 * The first forbidden key in JSON text, looked for before any library turns the text into
 * objects: superjson (the tRPC transport) copies `{"__proto__": …}` by assignment, which sets a
 * prototype instead of keeping the key, so a check after it never sees the key. Null when the
 * text cannot hold one or is not JSON at all (its consumer reports the syntax error).
 */
export function forbiddenKeyInJsonText(text: string): ErrorIssue | null {
  if (!jsonTextMayBreakPolicy(text)) return null;
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return null;
  }
  // Only the key: depth and size are the limits' business, refused where they are checked.
  const bad = findForbiddenKey(value);
  return bad?.code === 'forbidden_key' ? bad : null;
}

/**
 * A cheap test on JSON text: false means no string in it can break the policy (JSON escapes
 * every control character as \u00XX, and a surrogate can only arrive as \uD8XX-\uDFFF or raw),
 * so a consumer needs the full walk only when this says true. Any \u escape counts, since one can
 * spell a forbidden key (`"\u005f_proto__"`); JSON.stringify writes them only for the characters
 * above, so ordinary input stays on the cheap path.
 */
export function jsonTextMayBreakPolicy(text: string): boolean {
  return JSON_TEXT_SUSPECT.test(text);
}
const JSON_TEXT_SUSPECT = /\\u[0-9a-fA-F]{4}|[\uD800-\uDFFF]|\u007F|"(?:__proto__|constructor|prototype)"/;

/** Plain objects only: Dates, Maps, typed arrays and files are not walked. */
function isPlainData(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Throws the 400 naming the field when any string in `value` breaks the policy. */
export function assertSafeInput(value: unknown, prefix: (string | number)[] = []): void {
  const bad = findUnsafeString(value);
  if (bad) throw inputPolicyError(bad, prefix);
}

/** The 400 of the policy for one issue, its path under `prefix`: "Invalid input: <field>: <why>". */
export function inputPolicyError(bad: ErrorIssue, prefix: (string | number)[] = []): AppError {
  const path = [...prefix.map(String), ...(bad.path ? [bad.path] : [])].join('.');
  const shown = path || '(root)';
  return new AppError('BAD_REQUEST', `Invalid input: ${shown}: ${bad.message}`, { issues: [{ ...bad, path }] });
}
