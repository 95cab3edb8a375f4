import { z } from 'zod';

/** Key performance indicators of a run, judged on the ego vehicle (CARLA Leaderboard style). */
export const runKpisSchema = z.object({
  collisions: z.object({
    vehicle: z.number().int().nonnegative(),
    pedestrian: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
  }),
  infractions: z.object({
    redLight: z.number().int().nonnegative(),
    laneInvasion: z.number().int().nonnegative(),
    hardBrake: z.number().int().nonnegative(),
    nearMiss: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
  }),
  /** 0..1 share of the ego route driven. */
  routeCompletion: z.number().min(0).max(1),
  /** Smallest time-to-collision to a lead vehicle seen by the ego; null when it never closed on one. */
  minTtc: z.number().nonnegative().nullable(),
  /** Product of the penalty factors of every infraction. */
  infractionPenalty: z.number().min(0).max(1),
  /** routeCompletion × infractionPenalty, 0..1 (×100 for the Leaderboard's percentage). */
  drivingScore: z.number().min(0).max(1),
  distanceM: z.number().nonnegative(),
  meanSpeed: z.number().nonnegative(),
  /** All vehicles of the run, for traffic-level statistics. */
  fleet: z.object({
    collisions: z.number().int().nonnegative(),
    nearMisses: z.number().int().nonnegative(),
    hardBrakes: z.number().int().nonnegative(),
  }),
});
export type RunKpis = z.infer<typeof runKpisSchema>;

export const runStates = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type RunState = (typeof runStates)[number];

/**
 * The KPIs a run is judged by, or null: a score judges a whole drive, so only a completed run has
 * one. A cancelled or failed run stopped part-way; its partial KPIs stay in the database (and in
 * the recording) but are never shown as its score.
 */
export function scoredKpis(state: RunState, kpis: unknown): RunKpis | null {
  return state === 'completed' && kpis ? runKpisSchema.parse(kpis) : null;
}

/** dl.run.status: where a run stands, keyed by runId. */
export const runStatusSchema = z.object({
  v: z.literal(1),
  orgId: z.string().min(1),
  runId: z.string().min(1),
  state: z.enum(runStates),
  /** 0..1 of the scenario duration */
  progress: z.number().min(0).max(1),
  /** seconds of simulation done */
  simTime: z.number().nonnegative(),
  /** simulated seconds per wall second so far */
  realTimeFactor: z.number().nonnegative(),
  kpis: runKpisSchema.optional(),
  /** why a run failed */
  error: z.string().optional(),
  /** wall-clock epoch ms */
  ts: z.number().int().nonnegative(),
});
export type RunStatus = z.infer<typeof runStatusSchema>;
