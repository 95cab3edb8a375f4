import { z } from 'zod';
import { simEventSchema } from '~/server/contracts/events';
import { telemetryFrameSchema } from '~/server/contracts/telemetry';

/**
 * The JSON schemas embedded in every recording. They are generated from the zod contracts, the
 * only definition of each message, so Foxglove/Lichtblick show the same fields the pipeline validates.
 */
type JsonSchema = {
  $schema?: string;
  type?: string;
  properties?: Record<string, unknown>;
  required?: string[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
};

let cached: { telemetry: Uint8Array; events: Uint8Array } | undefined;

/**
 * zod renders the event union as a bare top-level oneOf. Viewers build their field lists from
 * top-level `properties`, so the common fields (and `type` as an enum of all kinds) are lifted to
 * an object schema; the oneOf stays as the exact constraint per kind.
 */
export function eventJsonSchema(): JsonSchema {
  const union = z.toJSONSchema(simEventSchema, { io: 'input' }) as JsonSchema;
  const variants = union.oneOf ?? union.anyOf ?? [];
  const first = variants[0]?.properties ?? {};
  const kinds = variants
    .map((v) => (v.properties?.type as { const?: string } | undefined)?.const)
    .filter((k): k is string => k !== undefined);
  return {
    $schema: union.$schema,
    type: 'object',
    properties: { ...first, type: { type: 'string', enum: kinds }, data: { type: 'object' } },
    required: variants[0]?.required ?? [],
    oneOf: variants,
  };
}

export function jsonSchemas(): { telemetry: Uint8Array; events: Uint8Array } {
  if (!cached) {
    const enc = new TextEncoder();
    // io: 'input' describes what travels on the wire (before zod defaults or transforms).
    cached = {
      telemetry: enc.encode(JSON.stringify(z.toJSONSchema(telemetryFrameSchema, { io: 'input' }))),
      events: enc.encode(JSON.stringify(eventJsonSchema())),
    };
  }
  return cached;
}
