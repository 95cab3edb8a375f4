/**
 * The one place where validation issues become words a user reads next to a field.
 *
 * Issues come from two sides: zod run in the browser (full issue objects, with the bound that was
 * crossed) and the server's error shape (`data.issues`: path, code and zod's message). Both are
 * turned into "<Field label> must be …" sentences using the form's own labels and units, so the
 * user never sees a schema key ("fault startS") or zod's wording ("Too small: expected number to
 * be >0").
 */

/** What a form knows about one of its fields: the label it shows and the unit of its value. */
export interface FieldInfo {
  label: string;
  unit?: string;
}

/** The parts of a zod issue (client) or a wire issue (server) this module reads. */
export interface IssueLike {
  path: string | readonly PropertyKey[];
  code?: string;
  message: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  expected?: string;
  received?: string;
  origin?: string;
  params?: Record<string, unknown>;
}

export const pathKey = (path: IssueLike['path']): string =>
  typeof path === 'string' ? path : path.map((p) => String(p)).join('.');

const withUnit = (n: number | bigint, unit?: string) => `${n}${unit ? (unit === '%' ? '%' : ` ${unit}`) : ''}`;

/**
 * Bounds from zod's default English messages ("Too small: expected number to be >0", "Too big:
 * expected number to be <=1"), for issues that crossed the wire without their numbers.
 */
function boundFromMessage(
  message: string,
): { minimum?: number; maximum?: number; inclusive: boolean; origin: string } | null {
  const m = /^Too (small|big): expected (\w+) to (?:be|have) (>=|<=|>|<)\s*(-?[\d.e+]+)/i.exec(message);
  if (!m) return null;
  const value = Number(m[4]);
  const inclusive = m[3]!.includes('=');
  const origin = m[2]!;
  return m[1]!.toLowerCase() === 'small'
    ? { minimum: value, inclusive, origin }
    : { maximum: value, inclusive, origin };
}

/** One issue in words, using the field's label (or a readable form of its key). */
export function friendlyIssue(issue: IssueLike, field?: FieldInfo): string {
  const key = pathKey(issue.path);
  const label = field?.label ?? humanizeKey(key.split('.').at(-1) ?? '') ?? 'This value';
  const unit = field?.unit;
  const reason = issue.params?.reason;
  // Cross-field rules carry their context in params (see server/contracts/scenario.ts).
  if (reason === 'fault_after_end')
    return `Fault start must be within the run's ${withUnit(Number(issue.params!.durationS), 's')} duration`;
  if (reason === 'no_such_vehicle') {
    const n = Number(issue.params!.vehicles);
    return n === 0
      ? 'This scenario has no traffic vehicles: use "ego" or add traffic first'
      : `Vehicle must be "ego" or one of the ${n} traffic vehicles (0 to ${n - 1})`;
  }
  if (issue.code === 'invalid_type' && (issue.received === 'NaN' || /received NaN/.test(issue.message)))
    return `${label} must be a number`;
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return `${label} is required`;
  const bound =
    issue.minimum !== undefined || issue.maximum !== undefined
      ? { minimum: issue.minimum, maximum: issue.maximum, inclusive: issue.inclusive ?? true, origin: issue.origin }
      : issue.code === 'too_small' || issue.code === 'too_big'
        ? boundFromMessage(issue.message)
        : null;
  const origin = bound?.origin ?? 'number';
  if (bound && (origin === 'number' || origin === 'int' || origin === 'bigint')) {
    if (bound.minimum !== undefined)
      return bound.inclusive
        ? `${label} must be at least ${withUnit(bound.minimum, unit)}`
        : `${label} must be more than ${withUnit(bound.minimum, unit)}`;
    if (bound.maximum !== undefined)
      return bound.inclusive
        ? `${label} can be at most ${withUnit(bound.maximum, unit)}`
        : `${label} must be less than ${withUnit(bound.maximum, unit)}`;
  }
  if (bound && (origin === 'string' || origin === 'array')) {
    const what = origin === 'string' ? 'characters' : 'items';
    if (bound.minimum !== undefined) return `${label} needs at least ${bound.minimum} ${what}`;
    if (bound.maximum !== undefined) return `${label} can have at most ${bound.maximum} ${what}`;
  }
  if (issue.code === 'invalid_value' || issue.code === 'invalid_enum_value')
    return `${label} is not one of the choices`;
  // A message written for people by the schema (not zod's default wording) is kept as it is,
  // with the schema key it may start with replaced by the label.
  const own = issue.message.replace(/^Invalid input: /, '');
  return sentence(own.replace(new RegExp(`^${escapeRe(key.split('.').at(-1) ?? '')}\\b`), label));
}

/** Every issue that has a path, keyed by path (first issue per field wins), in words. */
export function fieldErrors(
  issues: readonly IssueLike[],
  fields: (key: string) => FieldInfo | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues) {
    const key = pathKey(i.path);
    out[key] ??= friendlyIssue(i, fields(key));
  }
  return out;
}

/** The issues of a failed tRPC call (the one error shape's `data.issues`), or [] for other errors. */
export function serverIssues(err: unknown): IssueLike[] {
  const issues = (err as { data?: { issues?: unknown } } | null)?.data?.issues;
  if (!Array.isArray(issues)) return [];
  return issues.filter(
    (i): i is IssueLike => typeof i === 'object' && i !== null && typeof (i as IssueLike).message === 'string',
  );
}

/** "learningRate" → "Learning rate", "startS" → "Start". */
export function humanizeKey(key: string): string | undefined {
  if (!key || /^\d+$/.test(key)) return undefined;
  const words = key
    .replace(/S$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : undefined;
}

const sentence = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
