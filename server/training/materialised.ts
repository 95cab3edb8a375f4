import { datasetFingerprint } from '~/server/training/fingerprint';

/**
 * A dataset version's rows as the trainer reads them, stored once in the object store. Features
 * are row-major float32 with NaN for a missing value; labels are a class index or a target value
 * (NaN without a label); `order` puts rows in time order within their group (window end, cycle).
 */
export type LabelKind = 'binary' | 'multiclass' | 'regression' | 'none';

export interface FaultInterval {
  /** runId/vehicleId of the windows it belongs to. */
  segment: string;
  start: number;
  /** Infinity when the fault lasted until the run ended. */
  end: number;
  faultType: string;
}

export interface MaterialisedDataset {
  featureNames: string[];
  labelName: string;
  labelKind: LabelKind;
  /** Class names by index (binary: ['normal', 'fault']). */
  classes: string[];
  groupBy: string;
  rows: number;
  features: Float32Array;
  labels: Float32Array;
  groups: string[];
  order: Float64Array;
  /** Offline datasets: the run/vehicle sequence of each row and the ground-truth faults, for detection delay. */
  segments?: string[];
  faults?: FaultInterval[];
  /** Name of the order column (cycle, window_end). */
  orderName: string;
  /** Offline datasets: seconds per window (a row covers [order - windowSize, order)). */
  windowSize?: number;
}

const MAGIC = 'DLDS1\n';

interface Header extends Omit<MaterialisedDataset, 'features' | 'labels' | 'order' | 'faults'> {
  faults?: (Omit<FaultInterval, 'end'> & { end: number | null })[];
}

/** Magic, header length (uint32 LE), JSON header, then float32 features, float32 labels, float64 order. */
export function encodeDataset(d: MaterialisedDataset): Uint8Array {
  const header: Header = {
    featureNames: d.featureNames,
    labelName: d.labelName,
    labelKind: d.labelKind,
    classes: d.classes,
    groupBy: d.groupBy,
    rows: d.rows,
    groups: d.groups,
    orderName: d.orderName,
    ...(d.windowSize !== undefined ? { windowSize: d.windowSize } : {}),
    ...(d.segments ? { segments: d.segments } : {}),
    // JSON has no Infinity: an open-ended fault is stored as null.
    ...(d.faults ? { faults: d.faults.map((f) => ({ ...f, end: Number.isFinite(f.end) ? f.end : null })) } : {}),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const magic = Buffer.from(MAGIC, 'ascii');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length);
  // Typed arrays are copied so the output never aliases the caller's buffers at odd offsets.
  return Buffer.concat([
    magic,
    len,
    json,
    Buffer.from(d.features.slice().buffer),
    Buffer.from(d.labels.slice().buffer),
    Buffer.from(d.order.slice().buffer),
  ]);
}

export function decodeDataset(bytes: Uint8Array): MaterialisedDataset {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.subarray(0, MAGIC.length).toString('ascii') !== MAGIC) throw new Error('not a DriveLab dataset file');
  const len = buf.readUInt32LE(MAGIC.length);
  let at = MAGIC.length + 4;
  const header = JSON.parse(buf.subarray(at, at + len).toString('utf8')) as Header;
  at += len;
  const cols = header.featureNames.length;
  const take = (bytesLen: number) => {
    const out = new Uint8Array(bytesLen);
    out.set(buf.subarray(at, at + bytesLen));
    at += bytesLen;
    return out.buffer;
  };
  const features = new Float32Array(take(header.rows * cols * 4));
  const labels = new Float32Array(take(header.rows * 4));
  const order = new Float64Array(take(header.rows * 8));
  if (at !== buf.length) throw new Error(`dataset file has ${buf.length - at} unexpected trailing bytes`);
  return {
    ...header,
    features,
    labels,
    order,
    faults: header.faults?.map((f) => ({ ...f, end: f.end ?? Number.POSITIVE_INFINITY })),
  };
}

/** Same rows, labels, groups and order = same fingerprint, whatever the source. */
export function fingerprintOf(d: MaterialisedDataset): string {
  const cols = d.featureNames.length;
  function* rows(): Generator<number[]> {
    for (let r = 0; r < d.rows; r++) {
      const row = Array.from(d.features.subarray(r * cols, (r + 1) * cols));
      row.push(d.order[r]!);
      yield row;
    }
  }
  const labels = Array.from(
    { length: d.rows },
    (_, r) => `${Number.isNaN(d.labels[r]!) ? '' : d.labels[r]}|${d.groups[r]}`,
  );
  return datasetFingerprint({
    columns: [...d.featureNames, `order:${d.orderName}`],
    rows: rows(),
    labels,
    labelName: `${d.labelKind}:${d.labelName}:${d.classes.join(',')}`,
  });
}
