import { describe, expect, it } from 'vitest';
import {
  CMAPSS_COLUMNS,
  CMAPSS_SENSOR_COLUMNS,
  offlineDatasetSpecSchema,
  uploadOptionsSchema,
} from '~/server/contracts/training';
import { faultIntervals, overlappingFaults, type FaultEventRow } from '~/server/training/labels';
import { decodeDataset, encodeDataset, fingerprintOf } from '~/server/training/materialised';
import { buildOfflineDataset, type WindowRow } from '~/server/training/offline-dataset';
import { AppError } from '~/server/errors';
import { parseUpload } from '~/server/training/upload-dataset';
import { cmapssRulDataset, parseCmapss } from '~/workers/trainer/datasets/cmapss';
import { delayMetrics, detectionDelays } from '~/workers/trainer/evaluate';
import { imputationFill, prepareSequences, splitPlan } from '~/workers/trainer/prepare';

const fault = (
  runId: string,
  vehicleId: string,
  t: number,
  type: 'fault_start' | 'fault_end',
  faultType = 'brake_fade',
  faultIndex = 0,
): FaultEventRow => ({
  runId,
  vehicleId,
  t,
  type,
  data: { faultType, faultIndex, severity: 0.7 },
});

describe('fault labels from ground-truth events', () => {
  it('pairs fault_start with the fault_end of the same vehicle and index; no end means until the run ends', () => {
    const f = faultIntervals([
      fault('r1', 'ego', 30, 'fault_end'),
      fault('r1', 'ego', 10, 'fault_start'),
      fault('r1', 'npc-1', 5, 'fault_start', 'tire_leak', 1),
      fault('r1', 'ego', 40, 'fault_end', 'engine_overheat', 2), // an end without a start is ignored
      { runId: 'r1', vehicleId: 'ego', t: 3, type: 'collision', data: {} },
    ]);
    expect(f).toEqual([
      { segment: 'r1/ego', start: 10, end: 30, faultType: 'brake_fade' },
      { segment: 'r1/npc-1', start: 5, end: Number.POSITIVE_INFINITY, faultType: 'tire_leak' },
    ]);
  });

  it('a window is faulty only if it overlaps the interval: never because of a fault that starts after it', () => {
    const f = [{ segment: 's', start: 10, end: 20, faultType: 'brake_fade' }];
    expect(overlappingFaults(f, 9, 10)).toHaveLength(0); // ends exactly at onset
    expect(overlappingFaults(f, 9.5, 10.5)).toHaveLength(1);
    expect(overlappingFaults(f, 19.5, 20.5)).toHaveLength(1);
    expect(overlappingFaults(f, 20, 21)).toHaveLength(0); // starts exactly at the end
    expect(overlappingFaults([{ ...f[0]!, end: Infinity }], 500, 501)).toHaveLength(1);
  });
});

describe('offline dataset building', () => {
  const names = ['speed_mean', 'engine_temp_mean', 'lead_ttc_min'];
  const windows: WindowRow[] = [];
  for (const runId of ['r2', 'r1']) {
    for (const vehicleId of ['npc-0', 'ego']) {
      for (let s = 0; s < 6; s++)
        windows.push({
          runId,
          vehicleId,
          windowStart: s,
          windowEnd: s + 1,
          values: [s, 90 + s, s % 3 === 0 ? 1 : null],
        });
    }
  }
  const events = [
    fault('r1', 'ego', 2.5, 'fault_start'),
    fault('r1', 'ego', 4, 'fault_end'),
    fault('r2', 'npc-0', 5, 'fault_start', 'engine_overheat', 1),
  ];

  it('labels windows by overlap, orders rows by run, vehicle and time, and drops mostly-missing features', () => {
    const spec = offlineDatasetSpecSchema.parse({ source: 'offline', runIds: ['r1', 'r2'] });
    const { dataset: d, stats } = buildOfflineDataset(spec, names, windows, events);
    expect(d.rows).toBe(24);
    expect(d.featureNames).toEqual(['speed_mean', 'engine_temp_mean']);
    expect(stats.droppedFeatures).toEqual(['lead_ttc_min']);
    expect(d.classes).toEqual(['normal', 'fault']);
    // Runs, then vehicles ('ego' < 'npc-0'), then window start.
    expect(d.segments!.slice(0, 6)).toEqual(Array(6).fill('r1/ego'));
    expect(Array.from(d.labels.slice(0, 6))).toEqual([0, 0, 1, 1, 0, 0]);
    expect(Array.from(d.order.slice(0, 6))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(d.groups.slice(0, 6)).toEqual(Array(6).fill('r1'));
    expect(stats.classCounts).toEqual({ normal: 21, fault: 3 });
    expect(d.faults).toHaveLength(2);
    expect(d.windowSize).toBe(1);
  });

  it('fault-type target names classes; chosen fault types leave windows of other faults out; groups by vehicle', () => {
    const spec = offlineDatasetSpecSchema.parse({
      source: 'offline',
      runIds: ['r1', 'r2'],
      groupBy: 'vehicle',
      label: { type: 'fault-overlap', target: 'fault-type', faultTypes: ['brake_fade'] },
    });
    const { dataset: d, stats } = buildOfflineDataset(spec, names, windows, events);
    expect(d.classes).toEqual(['normal', 'brake_fade']);
    expect(d.labelKind).toBe('multiclass');
    expect(stats.excludedWindows).toBe(1); // r2/npc-0 [5,6) overlaps the engine overheat
    expect(d.rows).toBe(23);
    expect(new Set(d.groups)).toEqual(new Set(['r1/ego', 'r1/npc-0', 'r2/ego', 'r2/npc-0']));
  });

  it('needs runs or a campaign', () => {
    expect(offlineDatasetSpecSchema.safeParse({ source: 'offline' }).success).toBe(false);
    expect(offlineDatasetSpecSchema.safeParse({ source: 'offline', campaignId: 'c1' }).success).toBe(true);
  });
});

describe('uploaded tables', () => {
  const cmapssLike = ['1 1 0.1 5 7', '1 2 0.2 5 8', '1 3 0.3 5 9', '2 2 1.2 5 2', '2 1 1.1 5 1'].join('\n');
  const opts = (o: Record<string, unknown>) => uploadOptionsSchema.parse({ name: 'u', groupColumn: 'unit', ...o });

  it('reads whitespace files with given column names, orders rows per group, and labels RUL capped', () => {
    const { dataset: d, stats } = parseUpload(
      cmapssLike,
      opts({ columns: ['unit', 'cycle', 's1', 's2', 's3'], orderColumn: 'cycle', label: { type: 'rul', cap: 1 } }),
    );
    expect(stats).toMatchObject({ rows: 5, groups: 2 });
    expect(d.featureNames).toEqual(['s1', 's2', 's3']);
    expect(d.groups).toEqual(['1', '1', '1', '2', '2']);
    expect(Array.from(d.order)).toEqual([1, 2, 3, 1, 2]);
    expect(Array.from(d.labels)).toEqual([1, 1, 0, 1, 0]);
    expect(d.features[3 * 3]).toBeCloseTo(1.1);
  });

  it('reads CSV with a header and a class label column; empty cells are missing values', () => {
    const csv = 'vehicle,t,temp,label\nv1,0,90,ok\nv1,1,,ok\nv2,0,120,hot\nv2,1,121,hot\n';
    const { dataset: d } = parseUpload(
      csv,
      opts({ groupColumn: 'vehicle', orderColumn: 't', label: { type: 'column', column: 'label', kind: 'binary' } }),
    );
    expect(d.featureNames).toEqual(['temp']);
    // 'ok' is the normal class, so 'hot' is the positive one whatever the alphabet says.
    expect(d.classes).toEqual(['ok', 'hot']);
    expect(Array.from(d.labels)).toEqual([0, 0, 1, 1]);
    expect(Number.isNaN(d.features[1]!)).toBe(true);
  });

  it('says which line or column is wrong', () => {
    const cols = ['unit', 'cycle', 's1', 's2', 's3'];
    expect(() => parseUpload('1 1 0.1 5\n', opts({ columns: cols, label: { type: 'none' } }))).toThrow(
      'line 1: expected 5 values, got 4',
    );
    expect(() =>
      parseUpload('1 1 0.1 x 5\n', opts({ columns: cols, featureColumns: ['s1', 's2'], label: { type: 'none' } })),
    ).toThrow('line 1: column "s2" is not a number: x');
    expect(() =>
      parseUpload(cmapssLike, opts({ columns: cols, groupColumn: 'engine', label: { type: 'none' } })),
    ).toThrow(AppError);
    expect(() => parseUpload(cmapssLike, opts({ columns: cols, label: { type: 'rul', cap: 125 } }))).toThrow(
      'needs an order column',
    );
    expect(() =>
      parseUpload(cmapssLike, opts({ columns: cols, label: { type: 'column', column: 's1', kind: 'binary' } })),
    ).toThrow('exactly 2 distinct values');
    expect(() => parseUpload('', opts({ label: { type: 'none' } }))).toThrow('empty');
  });
});

describe('materialised datasets', () => {
  it('round-trips features with NaN, labels, groups, order and open-ended faults; the fingerprint tracks content', () => {
    const spec = offlineDatasetSpecSchema.parse({ source: 'offline', runIds: ['r'] });
    const w: WindowRow[] = [0, 1, 2].map((s) => ({
      runId: 'r',
      vehicleId: 'ego',
      windowStart: s,
      windowEnd: s + 1,
      values: [s, s === 1 ? null : 2],
    }));
    const { dataset } = buildOfflineDataset({ ...spec, maxMissingShare: 1 }, ['a', 'b'], w, [
      fault('r', 'ego', 1.5, 'fault_start'),
    ]);
    const back = decodeDataset(encodeDataset(dataset));
    expect(back.groups).toEqual(dataset.groups);
    expect(Array.from(back.labels)).toEqual([0, 1, 1]);
    expect(Number.isNaN(back.features[3]!)).toBe(true);
    expect(back.faults![0]!.end).toBe(Number.POSITIVE_INFINITY);
    expect(fingerprintOf(back)).toBe(fingerprintOf(dataset));
    back.labels[0] = 1;
    expect(fingerprintOf(back)).not.toBe(fingerprintOf(dataset));
    expect(() => decodeDataset(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))).toThrow('not a DriveLab dataset');
  });
});

describe('training preparation', () => {
  it('imputes from the training rows only', () => {
    const features = Float32Array.from([1, NaN, 3, 4, NaN, 100]);
    expect(imputationFill({ features, featureNames: ['a', 'b'] }, [0, 1])).toEqual([2, 4]);
  });

  it('the 1D-CNN preparation of an upload equals the C-MAPSS preset (columns, smoothing, cycle feature)', () => {
    const rows: string[] = [];
    for (let u = 1; u <= 6; u++)
      for (let c = 1; c <= 40; c++)
        rows.push(
          [
            u,
            c,
            0,
            0,
            100,
            ...Array.from({ length: 21 }, (_, s) => (s % 5 === 0 ? 1 : Math.sin(u * c + s) * 10 + c)),
          ].join(' '),
        );
    const text = rows.join('\n');
    const preset = cmapssRulDataset(parseCmapss(text), { smoothing: 0.05, includeCycle: true });
    const { dataset } = parseUpload(
      text,
      uploadOptionsSchema.parse({
        name: 'x',
        format: 'whitespace',
        columns: CMAPSS_COLUMNS,
        groupColumn: 'unit',
        orderColumn: 'cycle',
        featureColumns: CMAPSS_SENSOR_COLUMNS,
        label: { type: 'rul', cap: 125 },
      }),
    );
    const prep = prepareSequences(dataset, splitPlan('cnn-regressor', 6, {}), {});
    expect(prep.featureNames).toEqual(preset.featureNames);
    expect(Array.from(prep.matrix.values)).toEqual(Array.from(preset.features.values));
    expect(prep.windowed.windows.steps).toBe(30);
    expect(new Set(prep.split.groups.validation).size).toBeGreaterThan(0);
    for (const g of prep.split.groups.validation) expect(prep.split.groups.train).not.toContain(g);
  });
});

describe('detection delay', () => {
  it('measures onset to the end of the first flagged overlapping window; unflagged faults are missed', () => {
    const rows = [1, 2, 3, 4, 5, 6].map((t) => ({ segment: 'r/ego', t, flagged: t === 1 || t === 5 }));
    const faults = [
      { segment: 'r/ego', start: 2.5, end: 10, faultType: 'brake_fade' },
      { segment: 'r/npc', start: 1, end: 3, faultType: 'tire_leak' },
      { segment: 'r/ego', start: 0, end: 0.5, faultType: 'gnss_drift' },
    ];
    const d = detectionDelays(rows, faults, 1);
    // The flag at t=1 is a window [0,1) that overlaps the [0,0.5) fault: delay 1 s.
    expect(d).toEqual({ faults: 2, detected: 2, delays: [2.5, 1] });
    expect(delayMetrics(d)).toMatchObject({ faultsEvaluated: 2, detectionRate: 1, meanDetectionDelayS: 1.75 });
    expect(
      detectionDelays(
        rows.map((r) => ({ ...r, flagged: false })),
        faults,
        1,
      ),
    ).toMatchObject({ faults: 2, detected: 0 });
  });
});
