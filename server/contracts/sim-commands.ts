import { z } from 'zod';
import { scenarioSchema } from './scenario';

/** dl.sim.commands, keyed by runId: the web tells sim workers to start or cancel a run. */
export const simStartCommandSchema = z.object({
  v: z.literal(1),
  type: z.literal('start'),
  runId: z.string().min(1),
  orgId: z.string().min(1),
  scenarioVersionId: z.string().min(1),
  /** The resolved scenario of that version, so a worker never needs the database to run it. */
  scenario: scenarioSchema,
});

export const simCancelCommandSchema = z.object({
  v: z.literal(1),
  type: z.literal('cancel'),
  runId: z.string().min(1),
  orgId: z.string().min(1),
});

export const simCommandSchema = z.discriminatedUnion('type', [simStartCommandSchema, simCancelCommandSchema]);
export type SimCommand = z.infer<typeof simCommandSchema>;
export type SimStartCommand = z.infer<typeof simStartCommandSchema>;
export type SimCancelCommand = z.infer<typeof simCancelCommandSchema>;
