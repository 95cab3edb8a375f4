import { z } from 'zod';
import { windowKindSchema } from './features';
import { aliasNameSchema } from './models';
import { singleLine } from './strings';

/** The largest finite float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** REST bodies of the fleet predict API (app/api/v1/models/predict, …/explain). */
const target = {
  /** The model's name or its id. */
  model: singleLine(200).pipe(z.string().min(1)),
  alias: aliasNameSchema.optional(),
  version: z.number().int().positive().optional(),
};

export const predictRequestSchema = z.object({
  ...target,
  // Beyond float32 a value would be Infinity inside the model and the score NaN: refused here.
  features: z.record(
    singleLine(200),
    z
      .number()
      .refine((v) => Math.abs(v) <= FLOAT32_MAX, 'is outside the float32 range (±3.4e38) the model computes in')
      .nullable(),
  ),
  /** Routes a canary deployment as the streaming path would route this vehicle. */
  vehicleId: singleLine(200).pipe(z.string().min(1)).optional(),
});
export type PredictRequest = z.infer<typeof predictRequestSchema>;

export const vehiclePredictRequestSchema = z.object({
  ...target,
  runId: singleLine(200).pipe(z.string().min(1)),
  vehicleId: singleLine(200).pipe(z.string().min(1)),
  kind: windowKindSchema.default('tumbling'),
});
export type VehiclePredictRequest = z.infer<typeof vehiclePredictRequestSchema>;
