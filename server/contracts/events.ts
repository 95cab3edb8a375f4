import { z } from 'zod';
import { faultTypes } from './scenario';

/**
 * dl.events: what happened in a run, keyed by runId. Ground truth about faults travels only
 * here (fault_start/fault_end), never in telemetry, as labels would in a real fleet.
 */
const base = {
  v: z.literal(1),
  orgId: z.string().min(1),
  runId: z.string().min(1),
  /** null for run-level events. */
  vehicleId: z.string().min(1).nullable(),
  /** Event time: seconds of simulation since the run started. */
  t: z.number().nonnegative(),
  /** Wall-clock epoch milliseconds when the event was produced. */
  ts: z.number().int().nonnegative(),
};

const point = z.object({ x: z.number(), y: z.number() });

export const collisionEventSchema = z.object({
  ...base,
  type: z.literal('collision'),
  data: z.object({
    otherKind: z.enum(['vehicle', 'pedestrian']),
    otherId: z.string().min(1),
    /** m/s, closing speed at contact */
    relativeSpeed: z.number().nonnegative(),
    at: point,
  }),
});

export const laneInvasionEventSchema = z.object({
  ...base,
  type: z.literal('lane_invasion'),
  data: z.object({ laneId: z.string().min(1), side: z.enum(['left', 'right']), at: point }),
});

export const nearMissEventSchema = z.object({
  ...base,
  type: z.literal('near_miss'),
  data: z.object({
    otherId: z.string().min(1),
    ttc: z.number().nonnegative(),
    distance: z.number().nonnegative(),
    threshold: z.number().positive(),
  }),
});

export const hardBrakeEventSchema = z.object({
  ...base,
  type: z.literal('hard_brake'),
  data: z.object({
    decel: z.number().positive(),
    speed: z.number().nonnegative(),
    threshold: z.number().positive(),
  }),
});

export const redLightViolationEventSchema = z.object({
  ...base,
  type: z.literal('red_light_violation'),
  data: z.object({ signalId: z.string().min(1), speed: z.number().nonnegative(), at: point }),
});

const faultData = z.object({
  faultType: z.enum(faultTypes),
  /** Index of the fault in the scenario's faults[]. */
  faultIndex: z.number().int().nonnegative(),
  severity: z.number().min(0).max(1),
  sensor: z.string().optional(),
});

export const faultStartEventSchema = z.object({ ...base, type: z.literal('fault_start'), data: faultData });
export const faultEndEventSchema = z.object({ ...base, type: z.literal('fault_end'), data: faultData });

export const runStartedEventSchema = z.object({
  ...base,
  type: z.literal('run_started'),
  data: z.object({
    map: z.string().min(1),
    seed: z.number().int(),
    durationS: z.number().positive(),
    rateHz: z.number().positive(),
    vehicles: z.number().int().nonnegative(),
  }),
});

export const runFinishedEventSchema = z.object({
  ...base,
  type: z.literal('run_finished'),
  data: z.object({ reason: z.enum(['completed', 'cancelled', 'failed']), frames: z.number().int().nonnegative() }),
});

export const simEventSchema = z.discriminatedUnion('type', [
  collisionEventSchema,
  laneInvasionEventSchema,
  nearMissEventSchema,
  hardBrakeEventSchema,
  redLightViolationEventSchema,
  faultStartEventSchema,
  faultEndEventSchema,
  runStartedEventSchema,
  runFinishedEventSchema,
]);

export type SimEvent = z.infer<typeof simEventSchema>;
export type SimEventType = SimEvent['type'];
export type SimEventOf<T extends SimEventType> = Extract<SimEvent, { type: T }>;
