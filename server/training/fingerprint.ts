import { createHash } from 'node:crypto';

/**
 * sha256 over a canonical text form of columns, rows and labels, so the same data gives the same
 * fingerprint whatever container it arrived in (nested arrays, typed arrays, float32 or float64
 * sources rounded the same way). Streamed row by row: datasets can be large.
 */
export interface FingerprintInput {
  columns: readonly string[];
  rows: Iterable<ArrayLike<number>> | { values: ArrayLike<number>; rows: number; cols: number };
  labels?: ArrayLike<number | string> | null;
  labelName?: string;
}

// Shortest round-trip decimal of the value as a float32, which is what training consumes; -0
// becomes 0 and non-finite values get fixed spellings.
function canonicalNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Inf' : '-Inf';
  const f = Math.fround(v);
  return f === 0 ? '0' : String(f);
}

function* iterRows(rows: FingerprintInput['rows']): Generator<ArrayLike<number>> {
  if ('values' in rows && 'cols' in rows) {
    for (let r = 0; r < rows.rows; r++) {
      const start = r * rows.cols;
      yield Array.prototype.slice.call(rows.values, start, start + rows.cols) as number[];
    }
  } else {
    yield* rows;
  }
}

export function datasetFingerprint(input: FingerprintInput): string {
  const hash = createHash('sha256');
  hash.update(`drivelab-dataset-v1\n${JSON.stringify({ columns: input.columns, label: input.labelName ?? null })}\n`);
  let i = 0;
  for (const row of iterRows(input.rows)) {
    if (row.length !== input.columns.length)
      throw new Error(`row ${i} has ${row.length} values, expected ${input.columns.length}`);
    let line = '';
    for (let c = 0; c < row.length; c++) line += (c ? ',' : '') + canonicalNumber(row[c] as number);
    if (input.labels) {
      const l = input.labels[i];
      if (l === undefined) throw new Error(`missing label for row ${i}`);
      line += '|' + (typeof l === 'number' ? canonicalNumber(l) : JSON.stringify(l));
    }
    hash.update(line + '\n');
    i++;
  }
  if (input.labels && input.labels.length !== i) throw new Error(`${input.labels.length} labels for ${i} rows`);
  return `sha256:${hash.digest('hex')}`;
}
