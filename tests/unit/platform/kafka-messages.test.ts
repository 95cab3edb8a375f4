import { describe, expect, it } from 'vitest';
import { dlqMessageSchema } from '~/server/contracts/dlq';
import { telemetryFrameSchema } from '~/server/contracts/telemetry';
import { buildDlqMessage, decodeMessage, encodeMessage } from '~/server/kafka/messages';
import { parsePartitionOverrides, prefixed, topicSpecs, TOPICS } from '~/server/kafka/topics';
import { frame } from '../../helpers/frames';

describe('decodeMessage', () => {
  it('accepts a valid frame', () => {
    const r = decodeMessage(telemetryFrameSchema, encodeMessage(frame({ seq: 7 })));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.seq).toBe(7);
  });

  it('rejects empty values and broken JSON as parse errors', () => {
    expect(decodeMessage(telemetryFrameSchema, null)).toMatchObject({ ok: false, reason: 'parse' });
    expect(decodeMessage(telemetryFrameSchema, Buffer.from('{"v":1,'))).toMatchObject({
      ok: false,
      reason: 'parse',
      error: expect.stringContaining('invalid JSON'),
    });
  });

  it('rejects schema violations with the offending path', () => {
    const bad = { ...frame(), speed: 'fast' };
    const r = decodeMessage(telemetryFrameSchema, Buffer.from(JSON.stringify(bad)));
    expect(r).toMatchObject({ ok: false, reason: 'validation' });
    if (!r.ok) expect(r.error).toContain('speed');
  });

  it('keeps nulls from dropped-out sensors', () => {
    const r = decodeMessage(
      telemetryFrameSchema,
      encodeMessage(frame({ speed: null, gnss: { lat: null, lon: null, alt: null } })),
    );
    expect(r.ok).toBe(true);
  });
});

describe('buildDlqMessage', () => {
  it('keeps the original bytes losslessly and validates against the DLQ contract', () => {
    const raw = Buffer.from([0xff, 0x00, 0x7b, 0x22]);
    const msg = buildDlqMessage(
      { topic: 'dl.telemetry', partition: 3, offset: '42', key: Buffer.from('run:ego'), value: raw },
      { reason: 'parse', error: 'invalid JSON', consumerGroup: 'g' },
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(dlqMessageSchema.parse(msg)).toEqual(msg);
    expect(Buffer.from(msg.valueBase64!, 'base64').equals(raw)).toBe(true);
    expect(msg).toMatchObject({
      sourceTopic: 'dl.telemetry',
      partition: 3,
      offset: '42',
      key: 'run:ego',
      rejectedAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('bounds very long error texts', () => {
    const msg = buildDlqMessage(
      { topic: 't', partition: 0, offset: '0', key: null, value: null },
      { reason: 'validation', error: 'x'.repeat(10_000), consumerGroup: 'g' },
    );
    expect(msg.error.length).toBe(2000);
  });
});

describe('topics', () => {
  it('lists every topic of the design once, with the prefix applied', () => {
    const specs = topicSpecs(6);
    expect(specs.map((s) => s.name).sort()).toEqual(Object.values(TOPICS).sort());
    expect(specs.find((s) => s.name === 'dl.models')?.partitions).toBe(1);
    expect(specs.find((s) => s.name === 'dl.telemetry')?.partitions).toBe(6);
    expect(prefixed('ci.', 'dl.telemetry')).toBe('ci.dl.telemetry');
  });

  it('applies per-topic partition overrides and refuses nonsense', () => {
    const specs = topicSpecs(3, parsePartitionOverrides('dl.telemetry=12, dl.features=8'));
    expect(specs.find((s) => s.name === 'dl.telemetry')?.partitions).toBe(12);
    expect(specs.find((s) => s.name === 'dl.features')?.partitions).toBe(8);
    expect(specs.find((s) => s.name === 'dl.events')?.partitions).toBe(3);
    expect(() => parsePartitionOverrides('dl.nope=3')).toThrow(/unknown topic/);
    expect(() => parsePartitionOverrides('dl.telemetry=0')).toThrow(/bad partition count/);
  });
});
