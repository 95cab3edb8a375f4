import type { UploadOptions } from '../contracts/training';
import { rulLabels } from './rul';
import type { MaterialisedDataset } from './materialised';
import { inputStringProblem, singleLineProblem } from '../contracts/strings';
import { AppError } from '../errors';

/**
 * Uploaded tables (CSV, or whitespace-separated like the C-MAPSS files) into a dataset (pure).
 * Every problem is an AppError (BAD_REQUEST) with the line or column it concerns, so the portal can say
 * exactly what to fix.
 */

export interface UploadStats {
  rows: number;
  groups: number;
  columns: string[];
  droppedConstant: string[];
  /** Columns that are not features, with the reason (never dropped without a word). */
  skippedColumns: { column: string; reason: string }[];
  labelSummary: Record<string, number>;
}

/**
 * The text of an uploaded table, or a 400 "not a text table" for binary data (NUL or other
 * control bytes, or invalid UTF-8). The bytes themselves are never echoed back.
 */
export function decodeTextTable(bytes: Uint8Array): string {
  const notText = (why: string) =>
    new AppError('BAD_REQUEST', `The file is not a text table (CSV or whitespace-separated): ${why}`, {
      issues: [{ path: 'file', code: 'not_text', message: why }],
    });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw notText('it is not UTF-8 text');
  }
  const bad = inputStringProblem(text);
  if (bad) throw notText(`it contains binary data (${bad.message.replace(/^contains /, '')})`);
  return text;
}

function checkColumnNames(columns: string[]): void {
  columns.forEach((c, i) => {
    const p = singleLineProblem(c);
    if (p)
      throw new AppError('BAD_REQUEST', `Column ${i + 1} has a name that ${p.message}`, {
        issues: [{ path: `columns.${i}`, code: p.code, message: p.message }],
      });
  });
}

const splitters = {
  csv: (l: string) => l.split(',').map((s) => s.trim()),
  whitespace: (l: string) => l.trim().split(/\s+/),
};

const NORMAL_CLASS = /^(false|no|normal|ok|healthy|nominal|negative|none)$/i;

/** The largest finite float32: features are stored and trained as float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

function isNumber(s: string): boolean {
  return s !== '' && Number.isFinite(Number(s));
}

function isFeatureNumber(s: string): boolean {
  return isNumber(s) && Math.abs(Number(s)) <= FLOAT32_MAX;
}

const isMissing = (s: string) => s === '' || s.toLowerCase() === 'nan' || s.toLowerCase() === 'na';

export function parseUpload(
  text: string,
  options: UploadOptions,
): { dataset: MaterialisedDataset; stats: UploadStats } {
  const lines = text
    .split(/\r?\n/)
    .map((l, i) => ({ l, no: i + 1 }))
    .filter(({ l }) => l.trim() !== '');
  if (lines.length === 0) throw new AppError('BAD_REQUEST', 'The file is empty');
  const format = options.format === 'auto' ? (lines[0]!.l.includes(',') ? 'csv' : 'whitespace') : options.format;
  const split = splitters[format];
  const first = split(lines[0]!.l);
  const hasHeader = options.hasHeader ?? (options.columns === undefined && first.some((t) => !isNumber(t)));
  const columns = options.columns ?? (hasHeader ? first : first.map((_, i) => `col_${i + 1}`));
  checkColumnNames(columns);
  if (new Set(columns).size !== columns.length) throw new AppError('BAD_REQUEST', 'Column names must be unique');
  const body = hasHeader ? lines.slice(1) : lines;
  if (body.length === 0) throw new AppError('BAD_REQUEST', 'The file has a header but no rows');

  const col = (name: string, what: string) => {
    const i = columns.indexOf(name);
    if (i < 0)
      throw new AppError(
        'BAD_REQUEST',
        `${what} "${name}" is not a column (columns: ${columns.slice(0, 30).join(', ')}${columns.length > 30 ? ', …' : ''})`,
      );
    return i;
  };
  const groupCol = col(options.groupColumn, 'Group column');
  const orderCol = options.orderColumn ? col(options.orderColumn, 'Order column') : null;
  const labelCol = options.label.type === 'column' ? col(options.label.column, 'Label column') : null;
  const reserved = new Set([groupCol, orderCol, labelCol].filter((c): c is number => c !== null));
  const cells = body.map(({ l, no }) => {
    const parts = split(l);
    if (parts.length !== columns.length)
      throw new AppError('BAD_REQUEST', `line ${no}: expected ${columns.length} values, got ${parts.length}`);
    return { parts, no };
  });

  let featureCols: number[];
  const skippedColumns: UploadStats['skippedColumns'] = [];
  if (options.featureColumns) {
    featureCols = options.featureColumns.map((n) => col(n, 'Feature column'));
    for (const c of featureCols)
      if (reserved.has(c))
        throw new AppError(
          'BAD_REQUEST',
          `"${columns[c]}" cannot be both a feature and the group, order or label column`,
        );
  } else {
    // Every column whose values are numbers (or missing); each other column is reported with
    // the first value that kept it out, so nothing disappears without a reason.
    featureCols = [];
    columns.forEach((name, c) => {
      if (reserved.has(c)) return;
      const bad = cells.find(({ parts }) => !isMissing(parts[c]!) && !isFeatureNumber(parts[c]!));
      if (!bad) featureCols.push(c);
      else {
        const v = bad.parts[c]!;
        skippedColumns.push({
          column: name,
          reason: isNumber(v)
            ? `line ${bad.no}: ${v.slice(0, 40)} is outside the float32 range`
            : `not numeric: line ${bad.no} has "${v.slice(0, 40)}"`,
        });
      }
    });
  }
  if (featureCols.length === 0)
    throw new AppError(
      'BAD_REQUEST',
      `No numeric feature columns${
        skippedColumns.length
          ? ` (${skippedColumns
              .map((k) => `${k.column}: ${k.reason}`)
              .slice(0, 5)
              .join('; ')})`
          : ''
      }`,
      { issues: skippedColumns.map((k) => ({ path: `columns.${k.column}`, code: 'not_numeric', message: k.reason })) },
    );

  // Rows in time order within each group; groups keep the order of first appearance.
  const groupRank = new Map<string, number>();
  const parsed = cells.map(({ parts, no }, idx) => {
    const group = parts[groupCol]!;
    if (group === '') throw new AppError('BAD_REQUEST', `line ${no}: empty group value`);
    if (!groupRank.has(group)) groupRank.set(group, groupRank.size);
    let order = idx;
    if (orderCol !== null) {
      if (!isNumber(parts[orderCol]!))
        throw new AppError(
          'BAD_REQUEST',
          `line ${no}: order column "${columns[orderCol]}" is not a number: ${parts[orderCol]}`,
        );
      order = Number(parts[orderCol]);
    }
    const values = featureCols.map((c) => {
      const s = parts[c]!;
      if (isMissing(s)) return Number.NaN;
      if (!isFeatureNumber(s))
        throw new AppError(
          'BAD_REQUEST',
          `line ${no}: column "${columns[c]}" ${isNumber(s) ? 'is outside the float32 range' : 'is not a number'}: ${s.slice(0, 40)}`,
          { issues: [{ path: `columns.${columns[c]}`, code: 'not_numeric', message: `line ${no}` }] },
        );
      return Number(s);
    });
    return { group, order, values, label: labelCol !== null ? parts[labelCol]! : null, no, idx };
  });
  parsed.sort((a, b) => groupRank.get(a.group)! - groupRank.get(b.group)! || a.order - b.order || a.idx - b.idx);

  const n = parsed.length;
  const features = new Float32Array(n * featureCols.length);
  parsed.forEach((p, r) => features.set(p.values, r * featureCols.length));
  const groups = parsed.map((p) => p.group);
  const order = Float64Array.from(parsed, (p) => p.order);

  let labels: Float32Array = new Float32Array(n).fill(Number.NaN);
  let classes: string[] = [];
  let labelKind: MaterialisedDataset['labelKind'] = 'none';
  let labelName = '';
  const labelSummary: Record<string, number> = {};
  const label = options.label;
  if (label.type === 'rul') {
    if (orderCol === null) throw new AppError('BAD_REQUEST', 'The RUL rule needs an order column (e.g. cycle)');
    labels = rulLabels(groups, order, label.cap);
    labelKind = 'regression';
    labelName = 'rul';
    labelSummary.cap = label.cap;
  } else if (label.type === 'column') {
    labelName = label.column;
    if (label.kind === 'regression') {
      labelKind = 'regression';
      parsed.forEach((p, r) => {
        if (!isNumber(p.label!)) throw new AppError('BAD_REQUEST', `line ${p.no}: label "${p.label}" is not a number`);
        labels[r] = Number(p.label);
      });
    } else {
      const distinct = [...new Set(parsed.map((p) => p.label!))];
      const numeric = distinct.every(isNumber);
      classes = distinct.sort((a, b) => (numeric ? Number(a) - Number(b) : a.localeCompare(b)));
      // Class 0 is the normal one: binary models score classes[1] as the positive (faulty) class.
      const normal = classes.findIndex((c) => NORMAL_CLASS.test(c));
      if (!numeric && normal > 0) classes = [classes[normal]!, ...classes.filter((_, i) => i !== normal)];
      if (label.kind === 'binary' && classes.length !== 2)
        throw new AppError(
          'BAD_REQUEST',
          `A binary label needs exactly 2 distinct values; "${label.column}" has ${classes.length}`,
        );
      if (classes.length < 2) throw new AppError('BAD_REQUEST', `The label "${label.column}" has only one value`);
      if (classes.length > 100)
        throw new AppError(
          'BAD_REQUEST',
          `The label "${label.column}" has ${classes.length} distinct values; at most 100 classes`,
        );
      labelKind = label.kind;
      const index = new Map(classes.map((c, i) => [c, i]));
      parsed.forEach((p, r) => (labels[r] = index.get(p.label!)!));
      for (const c of classes) labelSummary[c] = parsed.filter((p) => p.label === c).length;
    }
  }
  return {
    dataset: {
      featureNames: featureCols.map((c) => columns[c]!),
      labelName,
      labelKind,
      classes,
      groupBy: options.groupKind,
      rows: n,
      features,
      labels,
      groups,
      order,
      orderName: orderCol !== null ? columns[orderCol]! : 'row',
    },
    stats: { rows: n, groups: groupRank.size, columns, droppedConstant: [], skippedColumns, labelSummary },
  };
}
