import { z } from 'zod';
import { windowKindSchema } from './features';
import { aliasNameSchema } from './models';

/** REST bodies of the fleet predict API (app/api/v1/models/predict, …/explain). */
const target = {
  /** The model's name or its id. */
  model: z.string().min(1).max(200),
  alias: aliasNameSchema.optional(),
  version: z.number().int().positive().optional(),
};

export const predictRequestSchema = z.object({
  ...target,
  features: z.record(z.string().max(200), z.number().finite().nullable()),
  /** Routes a canary deployment as the streaming path would route this vehicle. */
  vehicleId: z.string().min(1).max(200).optional(),
});
export type PredictRequest = z.infer<typeof predictRequestSchema>;

export const vehiclePredictRequestSchema = z.object({
  ...target,
  runId: z.string().min(1).max(200),
  vehicleId: z.string().min(1).max(200),
  kind: windowKindSchema.default('tumbling'),
});
export type VehiclePredictRequest = z.infer<typeof vehiclePredictRequestSchema>;
