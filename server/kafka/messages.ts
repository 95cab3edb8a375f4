import type { z } from 'zod';
import type { DlqMessage, DlqReason } from '../contracts/dlq';
import { findUnsafeString, jsonTextMayBreakPolicy } from '../contracts/strings';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../contracts/json-depth';

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; reason: DlqReason; error: string };

/**
 * Turns raw Kafka bytes into a validated message. Pure, so tests cover every rejection path
 * without a broker; the consumer helpers route failures to the DLQ.
 */
export function decodeMessage<S extends z.ZodType>(schema: S, value: Buffer | null): DecodeResult<z.infer<S>> {
  const json = parseJson(value);
  if (!json.ok) return json;
  return validate(schema, json.value);
}

/** The JSON of a message value, or why it is not JSON. */
export function parseJson(value: Buffer | null): DecodeResult<unknown> {
  if (value === null || value.length === 0) return { ok: false, reason: 'parse', error: 'empty message value' };
  return parseJsonText(value.toString('utf8'));
}

/** parseJson for a value already decoded from UTF-8. */
export function parseJsonText(text: string): DecodeResult<unknown> {
  if (text.length === 0) return { ok: false, reason: 'parse', error: 'empty message value' };
  if (jsonDepthExceeds(text))
    return { ok: false, reason: 'parse', error: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` };
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    return { ok: false, reason: 'parse', error: `invalid JSON: ${(err as Error).message}` };
  }
  // The string input policy (contracts/strings.ts); the text pre-check keeps the hot path cheap.
  if (jsonTextMayBreakPolicy(text)) {
    const bad = findUnsafeString(value);
    if (bad) return { ok: false, reason: 'validation', error: `${bad.path || '(root)'}: ${bad.message}` };
  }
  return { ok: true, value };
}

/** Validates parsed JSON against a contract schema; the error names the first few bad paths. */
export function validate<S extends z.ZodType>(schema: S, json: unknown): DecodeResult<z.infer<S>> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
      .join('; ');
    return { ok: false, reason: 'validation', error: detail };
  }
  return { ok: true, value: parsed.data };
}

export function encodeMessage(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export interface RawMessageRef {
  /** Broker or producer timestamp, epoch ms as a string (kafkajs' form); absent in tests. */
  timestamp?: string;
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

/** The reference a consumer keeps of a message it read, for the DLQ and for offsets. */
export function rawMessageRef(
  topic: string,
  partition: number,
  message: Pick<RawMessageRef, 'offset' | 'key' | 'value'> & { timestamp?: string },
): RawMessageRef {
  const { offset, key, value, timestamp } = message;
  return { topic, partition, offset, key, value, timestamp };
}

export function buildDlqMessage(
  raw: RawMessageRef,
  rejection: { reason: DlqReason; error: string; consumerGroup: string; orgId?: string },
  now: Date = new Date(),
): DlqMessage {
  return {
    v: 1,
    sourceTopic: raw.topic,
    partition: raw.partition,
    offset: raw.offset,
    key: raw.key === null ? null : raw.key.toString('utf8'),
    valueBase64: raw.value === null ? null : raw.value.toString('base64'),
    reason: rejection.reason,
    // Bounded so one pathological message cannot make an oversized DLQ record.
    error: rejection.error.slice(0, 2000),
    consumerGroup: rejection.consumerGroup,
    ...(rejection.orgId ? { orgId: rejection.orgId } : {}),
    rejectedAt: now.toISOString(),
  };
}
