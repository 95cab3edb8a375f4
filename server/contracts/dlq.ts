import { z } from 'zod';

/** Why a consumer refused a message. */
export const dlqReasonSchema = z.enum(['parse', 'validation', 'late', 'tenant', 'handler']);
export type DlqReason = z.infer<typeof dlqReasonSchema>;

/**
 * A message a consumer could not accept. The original bytes travel base64-encoded so that
 * nothing is lost, whatever they were; the DLQ message key is the source topic.
 */
export const dlqMessageSchema = z.object({
  v: z.literal(1),
  sourceTopic: z.string().min(1),
  partition: z.number().int().nonnegative(),
  offset: z.string().regex(/^\d+$/),
  key: z.string().nullable(),
  valueBase64: z.string().nullable(),
  reason: dlqReasonSchema,
  error: z.string().min(1),
  consumerGroup: z.string().min(1),
  orgId: z.string().optional(),
  rejectedAt: z.iso.datetime(),
});
export type DlqMessage = z.infer<typeof dlqMessageSchema>;
