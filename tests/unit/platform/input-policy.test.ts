import { describe, expect, it } from 'vitest';
import {
  assertSafeInput,
  findUnsafeString,
  forbiddenKeyInJsonText,
  inputStringProblem,
  singleLineProblem,
} from '~/server/contracts/strings';
import { AppError } from '~/server/errors';
import { jsonDepthExceeds, parseJsonText } from '~/server/http/limits';
import { decodeMessage } from '~/server/kafka/messages';
import { telemetryFrameSchema } from '~/server/contracts/telemetry';
import { decodeTextTable, parseUpload } from '~/server/training/upload-dataset';
import type { VersionSession } from '~/server/inference/version-session';
import { prepareInput } from '~/workers/inference/oip';
import { unlabelledUploadOptions } from '../../helpers/upload-options';

describe('string input policy', () => {
  it('refuses NUL, C0 controls, DEL and lone surrogates; keeps tab/LF/CR in free text', () => {
    for (const s of ['a\u0000b', '\u0001', 'x\u001f', '\u007f', 'a\uD800', '\uDC00b'])
      expect(inputStringProblem(s), JSON.stringify(s)).not.toBeNull();
    for (const s of ['plain', 'tab\there', 'lines\r\n', 'emoji 🚗', 'ünïcödé', ''])
      expect(inputStringProblem(s), JSON.stringify(s)).toBeNull();
    expect(singleLineProblem('a\nb')).not.toBeNull();
    expect(singleLineProblem('a b')).toBeNull();
  });

  it('names the path of the first bad string or key, without recursion', () => {
    expect(findUnsafeString({ a: [{ b: 'ok' }, { c: 'x\u0000' }] })).toMatchObject({ path: 'a.1.c' });
    expect(findUnsafeString(JSON.parse('{"__proto__":{"x":1}}'))).toMatchObject({ code: 'forbidden_key' });
    expect(findUnsafeString({ ['k\u0000']: 1 })).toMatchObject({ code: 'control_character' });
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnsafeString(deep)).toMatchObject({ code: 'too_deep' });
    expect(() => assertSafeInput({ name: 'a\u0000' })).toThrow(AppError);
    try {
      assertSafeInput({ name: 'a\u0000' });
    } catch (err) {
      expect((err as AppError).status).toBe(400);
      expect((err as AppError).message).toMatch(/name/);
      expect((err as AppError).issues[0]).toMatchObject({ path: 'name', code: 'control_character' });
    }
  });
});

describe('forbidden keys in raw JSON text', () => {
  it('finds __proto__ before any object copy drops it, also when spelled with an escape', () => {
    expect(forbiddenKeyInJsonText('{"json":{"spec":{"__proto__":{"polluted":true}}}}')).toMatchObject({
      path: 'json.spec.__proto__',
      code: 'forbidden_key',
    });
    expect(forbiddenKeyInJsonText('{"a":[{"\\u005f_proto__":1}]}')).toMatchObject({ path: 'a.0.__proto__' });
    expect(forbiddenKeyInJsonText('{"constructor":1}')).toMatchObject({ path: 'constructor' });
    // Only keys: a value "__proto__", other policy breaks and text that is not JSON are not its business.
    expect(forbiddenKeyInJsonText('{"name":"__proto__"}')).toBeNull();
    expect(forbiddenKeyInJsonText('{"name":"a\\u0000"}')).toBeNull();
    expect(forbiddenKeyInJsonText('{"__proto__":')).toBeNull();
  });
});

describe('JSON limits', () => {
  it('counts depth without parsing, ignoring brackets inside strings', () => {
    expect(jsonDepthExceeds('['.repeat(401) + ']'.repeat(401))).toBe(true);
    expect(jsonDepthExceeds('['.repeat(400) + ']'.repeat(400))).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify({ s: '['.repeat(5000) }))).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify({ s: '\\"[[[[' }), 2)).toBe(false);
    expect(() => parseJsonText('['.repeat(100_000))).toThrow(/deeper than 400/);
    expect(() => parseJsonText('{nope')).toThrow(/must be JSON/);
  });
});

describe('Kafka contracts: hostile bytes go to the DLQ with a reason', () => {
  it('deep nesting is a parse rejection, NUL in a string a validation rejection', () => {
    expect(decodeMessage(telemetryFrameSchema, Buffer.from('['.repeat(50_000)))).toMatchObject({
      ok: false,
      reason: 'parse',
    });
    const nul = decodeMessage(telemetryFrameSchema, Buffer.from(JSON.stringify({ runId: 'r\u0000' })));
    expect(nul).toMatchObject({ ok: false, reason: 'validation' });
    expect(!nul.ok && nul.error).toMatch(/runId.*U\+0000/);
    expect(decodeMessage(telemetryFrameSchema, Buffer.from([0xff, 0x00, 0xfe]))).toMatchObject({ ok: false });
  });

  it('a __proto__ key spelled with a JSON escape is a validation rejection too', () => {
    const escaped = decodeMessage(telemetryFrameSchema, Buffer.from('{"runId":"r1","\\u005f_proto__":{"x":1}}'));
    expect(escaped).toMatchObject({ ok: false, reason: 'validation' });
    expect(!escaped.ok && escaped.error).toMatch(/__proto__/);
  });
});

describe('uploads', () => {
  it('refuses a binary file as "not a text table" without echoing its bytes', () => {
    const bytes = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00, 0x41, 0x42]);
    let err: AppError | null = null;
    try {
      decodeTextTable(bytes);
    } catch (e) {
      err = e as AppError;
    }
    expect(err).toBeInstanceOf(AppError);
    expect(err!.message).toMatch(/not a text table/);
    expect(err!.message).not.toMatch(/PK/);
    expect(() => decodeTextTable(new Uint8Array([0xc3, 0x28]))).toThrow(/not UTF-8/);
    expect(decodeTextTable(new TextEncoder().encode('a,b\n1,2\n'))).toBe('a,b\n1,2\n');
  });

  it('reports a non-numeric column with its reason instead of dropping it silently', () => {
    const text = 'vehicle,temp,colour,big\nv1,1,red,1\nv1,2,blue,1e39\n';
    const { dataset, stats } = parseUpload(text, unlabelledUploadOptions);
    expect(dataset.featureNames).toEqual(['temp']);
    expect(stats.skippedColumns).toEqual([
      { column: 'colour', reason: 'not numeric: line 2 has "red"' },
      { column: 'big', reason: 'line 3: 1e39 is outside the float32 range' },
    ]);
  });
});

describe('OIP tensor flattening', () => {
  const session = {
    info: { modelName: 'm' },
    inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 2] }],
  } as unknown as VersionSession;
  const req = (data: unknown[], shape = [1, 2]) => ({ inputs: [{ name: 'features', shape, datatype: 'FP32', data }] });

  it('flattens nested data, refuses nesting deeper than the shape without recursion', () => {
    expect(prepareInput(session, req([[1, 2]]))).toMatchObject({ ok: true, rows: 1 });
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const r = prepareInput(session, req([deep]));
    expect(r).toMatchObject({ ok: false });
    expect(!r.ok && r.error).toMatch(/deeper than the shape/);
  });

  it('refuses values beyond float32 and non-numbers', () => {
    expect(prepareInput(session, req([1e39, 1]))).toMatchObject({ ok: false, error: expect.stringMatching(/float32/) });
    expect(prepareInput(session, req([[1, 'x']]))).toMatchObject({ ok: false, error: expect.stringMatching(/finite/) });
  });
});
