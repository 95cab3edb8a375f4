import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rulLabels } from '~/server/training/rul';
import { cmapssDir, cmapssRulDataset, parseCmapss, readCmapssFile } from '~/workers/trainer/datasets/cmapss';
import { datasetFingerprint } from '~/server/training/fingerprint';
import { splitByGroup } from '~/workers/trainer/datasets/group-split';
import { matrixFromRows } from '~/workers/trainer/datasets/types';
import { slidingWindows } from '~/workers/trainer/datasets/windows';
import { fitStandardiser, standardise } from '~/workers/trainer/normalisation';

function cmapssLine(unit: number, cycle: number, sensor2: number): string {
  const settings = ['-0.0007', '-0.0004', '100.0'];
  const sensors = Array.from({ length: 21 }, (_, i) => (i === 1 ? String(sensor2) : i === 5 ? '21.61' : '518.67'));
  return [unit, cycle, ...settings, ...sensors].join(' ') + '  ';
}

describe('C-MAPSS parsing and RUL labels', () => {
  const text = [
    cmapssLine(1, 1, 641.8),
    cmapssLine(1, 2, 642.1),
    cmapssLine(1, 3, 642.4),
    cmapssLine(2, 1, 641.9),
    cmapssLine(2, 2, 642.0),
    '',
  ].join('\n');

  it('parses whitespace-separated rows with trailing blanks into 26 columns', () => {
    const d = parseCmapss(text);
    expect(d.table.rows).toBe(5);
    expect(d.table.cols).toBe(26);
    expect(d.units).toEqual([1, 1, 1, 2, 2]);
    expect(d.cycles).toEqual([1, 2, 3, 1, 2]);
    expect(d.table.values[6]).toBeCloseTo(641.8, 3);
    expect(() => parseCmapss('1 2 3')).toThrow(/expected 26 columns/);
  });

  it('labels RUL as cycles to the last cycle of the unit, capped', () => {
    const units = [1, 1, 1, 1, 2, 2];
    const cycles = [1, 2, 3, 4, 1, 2];
    expect(Array.from(rulLabels(units, cycles, 125))).toEqual([3, 2, 1, 0, 1, 0]);
    expect(Array.from(rulLabels(units, cycles, 2))).toEqual([2, 2, 1, 0, 1, 0]);
  });

  it('drops constant sensors and keeps informative ones', () => {
    const d = cmapssRulDataset(parseCmapss(text));
    expect(d.featureNames).toEqual(['sensor_2']);
    expect(d.dropped).toContain('sensor_1');
    expect(d.dropped).toContain('sensor_6');
  });

  it('reads train_FD001 from the shared datasets folder: 100 units, 14 informative sensors, RUL capped at 125', async () => {
    const file = path.join(cmapssDir(), 'train_FD001.txt');
    const d = cmapssRulDataset(await readCmapssFile(file));
    expect(d.features.rows).toBe(20631);
    expect(new Set(d.units).size).toBe(100);
    expect(d.featureNames).toEqual([
      'sensor_2',
      'sensor_3',
      'sensor_4',
      'sensor_7',
      'sensor_8',
      'sensor_9',
      'sensor_11',
      'sensor_12',
      'sensor_13',
      'sensor_14',
      'sensor_15',
      'sensor_17',
      'sensor_20',
      'sensor_21',
    ]);
    expect(Math.max(...d.rul)).toBe(125);
    expect(Math.min(...d.rul)).toBe(0);
    // Unit 1 has 192 cycles: its first row is capped, row 100 (cycle 100) has 92 left.
    expect(d.rul[0]).toBe(125);
    expect(d.rul[99]).toBe(92);
  });

  it('resolves CMAPSS_DIR before the default beside the repository', () => {
    expect(cmapssDir({ CMAPSS_DIR: '/data/cmapss' })).toBe('/data/cmapss');
    expect(cmapssDir({})).toBe(path.resolve(__dirname, '../../../../shared/datasets/cmapss'));
  });
});

describe('splitting by group', () => {
  const groups = Array.from({ length: 500 }, (_, i) => `unit-${i % 37}`);

  it('never puts a group on both sides and is deterministic for a seed', () => {
    const a = splitByGroup(groups, { validationFraction: 0.2, testFraction: 0.1, seed: 7 });
    const train = new Set(a.train.map((i) => groups[i]));
    const val = new Set(a.validation.map((i) => groups[i]));
    const test = new Set(a.test.map((i) => groups[i]));
    for (const g of val) expect(train.has(g) || test.has(g)).toBe(false);
    for (const g of test) expect(train.has(g)).toBe(false);
    expect(a.train.length + a.validation.length + a.test.length).toBe(groups.length);
    expect(a.groups.validation).toHaveLength(7);
    expect(a.groups.test).toHaveLength(4);
    expect(splitByGroup(groups, { validationFraction: 0.2, testFraction: 0.1, seed: 7 })).toEqual(a);
    expect(splitByGroup(groups, { validationFraction: 0.2, testFraction: 0.1, seed: 8 }).groups.validation).not.toEqual(
      a.groups.validation,
    );
  });

  it('does not depend on row order', () => {
    const reversed = [...groups].reverse();
    expect(splitByGroup(reversed, { validationFraction: 0.25, seed: 3 }).groups).toEqual(
      splitByGroup(groups, { validationFraction: 0.25, seed: 3 }).groups,
    );
  });

  it('splits C-MAPSS rows by unit with no unit on both sides', async () => {
    const d = cmapssRulDataset(await readCmapssFile(path.join(cmapssDir(), 'train_FD001.txt')));
    const s = splitByGroup(d.units, { validationFraction: 0.2, seed: 42 });
    const trainUnits = new Set(s.train.map((i) => d.units[i]));
    const valUnits = new Set(s.validation.map((i) => d.units[i]));
    expect(valUnits.size).toBe(20);
    expect(trainUnits.size).toBe(80);
    expect([...valUnits].filter((u) => trainUnits.has(u))).toEqual([]);
  });
});

describe('sliding windows', () => {
  it('builds windows within each group, labelled with the last row', () => {
    // group a: rows 0,1,3 ; group b: rows 2,4 (interleaved on purpose)
    const m = matrixFromRows([
      [0, 10],
      [1, 11],
      [100, 110],
      [2, 12],
      [101, 111],
    ]);
    const w = slidingWindows(m, [5, 4, 9, 3, 8], ['a', 'a', 'b', 'a', 'b'], 2);
    expect(w.windows.count).toBe(3);
    expect(w.groups).toEqual(['a', 'a', 'b']);
    expect(Array.from(w.labels)).toEqual([4, 3, 8]);
    expect(Array.from(w.windows.values.subarray(0, 4))).toEqual([0, 10, 1, 11]);
    expect(Array.from(w.windows.values.subarray(4, 8))).toEqual([1, 11, 2, 12]);
    expect(Array.from(w.windows.values.subarray(8, 12))).toEqual([100, 110, 101, 111]);
    expect(slidingWindows(m, [0, 0, 0, 0, 0], ['a', 'a', 'b', 'a', 'b'], 3).windows.count).toBe(1);
  });
});

describe('normalisation and fingerprint', () => {
  it('standardises per feature and keeps constant features finite', () => {
    const s = fitStandardiser([1, 5, 3, 5, 5, 5], 2);
    expect(s.mean).toEqual([3, 5]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(s.std[1]).toBe(1);
    const z = standardise([3, 5, 5, 5], s);
    expect(Array.from(z)).toEqual([0, 0, Math.fround(2 / Math.fround(Math.sqrt(8 / 3))), 0]);
  });

  it('fingerprints the canonical content: same data, same hash; any change, new hash', () => {
    const base = {
      columns: ['a', 'b'],
      rows: [
        [1, 2],
        [3, 4.5],
      ],
      labels: [0, 1],
      labelName: 'y',
    };
    const fp = datasetFingerprint(base);
    expect(fp).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(datasetFingerprint({ ...base, rows: { values: Float32Array.from([1, 2, 3, 4.5]), rows: 2, cols: 2 } })).toBe(
      fp,
    );
    expect(
      datasetFingerprint({
        ...base,
        rows: [
          [1, 2],
          [3, 4.25],
        ],
      }),
    ).not.toBe(fp);
    expect(datasetFingerprint({ ...base, labels: [1, 1] })).not.toBe(fp);
    expect(datasetFingerprint({ ...base, columns: ['a', 'c'] })).not.toBe(fp);
    expect(
      datasetFingerprint({
        ...base,
        rows: [
          [3, 4.5],
          [1, 2],
        ],
        labels: [1, 0],
      }),
    ).not.toBe(fp);
    expect(() => datasetFingerprint({ ...base, labels: [0] })).toThrow();
  });
});
