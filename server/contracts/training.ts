import { z } from 'zod';
import { FEATURE_SET, windowKindSchema } from './features';
import { modelKindSchema, modelKinds } from './models';
import { faultTypes } from './scenario';

/**
 * Training contracts: dataset build specs, training job requests (tRPC, REST, schedules) and the
 * dl.training progress message. One definition each; producers and consumers import them here.
 */

/** Default cap of remaining-useful-life labels, in cycles (the C-MAPSS literature's 125). */
export const DEFAULT_RUL_CAP = 125;

const id = z.string().min(1).max(64);
const name = z.string().trim().min(1, 'name is required').max(100, 'at most 100 characters');

/**
 * Labels from ground-truth fault events: a window is faulty when [windowStart, windowEnd)
 * overlaps a fault interval [fault_start.t, fault_end.t) of its vehicle (open-ended until the run
 * ends when no fault_end came). 'binary' gives normal/fault, 'fault-type' the fault's type.
 */
export const faultLabelRuleSchema = z.object({
  type: z.literal('fault-overlap'),
  target: z.enum(['binary', 'fault-type']).default('binary'),
  /** Only these fault types count as faults; others are dropped from the dataset. Empty = all. */
  faultTypes: z.array(z.enum(faultTypes)).max(faultTypes.length).default([]),
});

export const offlineDatasetSpecSchema = z
  .object({
    source: z.literal('offline'),
    runIds: z.array(id).max(500).default([]),
    campaignId: id.optional(),
    featureSetVersion: z.string().min(1).max(20).default(FEATURE_SET.version),
    windowKind: windowKindSchema.default('tumbling'),
    /** Seconds: 1 for the default tumbling windows, 10 for the sliding aggregates. */
    windowSize: z.number().positive().max(3600).default(1),
    groupBy: z.enum(['run', 'vehicle']).default('run'),
    /** Only windows of these vehicles (e.g. ['ego']); empty = every vehicle. */
    vehicleIds: z.array(z.string().min(1).max(64)).max(200).default([]),
    label: faultLabelRuleSchema.prefault({ type: 'fault-overlap' }),
    /** Feature columns with more missing values than this share are dropped. */
    maxMissingShare: z.number().min(0).max(1).default(0.5),
  })
  .refine((s) => s.runIds.length > 0 || s.campaignId, { error: 'choose runs or a campaign', path: ['runIds'] });
export type OfflineDatasetSpec = z.infer<typeof offlineDatasetSpecSchema>;

export const uploadLabelSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('column'),
    column: z.string().min(1).max(100),
    kind: z.enum(['binary', 'multiclass', 'regression']),
  }),
  /** Remaining useful life: cycles until the group's last row, piecewise-linear capped at `cap`. */
  z.object({ type: z.literal('rul'), cap: z.number().positive().max(100_000).default(DEFAULT_RUL_CAP) }),
  /** No label: only unsupervised kinds (the autoencoder) can train on it. */
  z.object({ type: z.literal('none') }),
]);

export const uploadOptionsSchema = z.object({
  name,
  description: z.string().max(500).optional(),
  /** auto: a header line decides; csv: comma-separated; whitespace: like the C-MAPSS files. */
  format: z.enum(['auto', 'csv', 'whitespace']).default('auto'),
  /** Column names in file order, for files without a header (C-MAPSS); else the header is used. */
  columns: z.array(z.string().trim().min(1).max(100)).max(1000).optional(),
  hasHeader: z.boolean().optional(),
  groupColumn: z.string().min(1).max(100),
  /** Orders rows within a group (cycle, time); default: file order. */
  orderColumn: z.string().min(1).max(100).optional(),
  /** Feature columns; default: every numeric column but group, order and label. */
  featureColumns: z.array(z.string().min(1).max(100)).max(1000).optional(),
  label: uploadLabelSchema,
  /** The kind of group, shown in the portal and used in split descriptions. */
  groupKind: z.enum(['unit', 'vehicle', 'run']).default('unit'),
});
export type UploadOptions = z.infer<typeof uploadOptionsSchema>;

/**
 * NASA C-MAPSS turbofan run-to-failure files: whitespace-separated, one row per engine cycle,
 * columns unit, cycle, 3 operational settings and 21 sensors. The trainer's parser, the upload
 * form's preset and the API's preset all read this one list.
 */
export const CMAPSS_COLUMNS: readonly string[] = [
  'unit',
  'cycle',
  'setting_1',
  'setting_2',
  'setting_3',
  ...Array.from({ length: 21 }, (_, i) => `sensor_${i + 1}`),
];
export const CMAPSS_SENSOR_COLUMNS: readonly string[] = CMAPSS_COLUMNS.filter((c) => c.startsWith('sensor_'));

/** Upload options that read a C-MAPSS file as it comes. */
export const CMAPSS_PRESET = {
  columns: CMAPSS_COLUMNS,
  groupColumn: 'unit',
  orderColumn: 'cycle',
  featureColumns: CMAPSS_SENSOR_COLUMNS,
} as const;

// ── Training jobs ───────────────────────────────────────────────────────────────────────────

const layerWidths = z.array(z.number().int().min(1).max(1024)).max(8);

/** Fit options every kind shares; unset fields take the kind's defaults in the worker. */
export const fitParamsSchema = z.object({
  epochs: z.number().int().min(1).max(1000).optional(),
  batchSize: z.number().int().min(1).max(8192).optional(),
  patience: z.number().int().min(1).max(1000).optional(),
  learningRate: z.number().positive().max(1).optional(),
  learningRateDecay: z.number().positive().max(1).optional(),
  validationFraction: z.number().min(0.05).max(0.5).optional(),
  testFraction: z.number().min(0).max(0.5).optional(),
  splitSeed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional(),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional(),
});

const trainingParamsShape = {
  ...fitParamsSchema.shape,
  // MLPs and the autoencoder
  hidden: layerWidths.optional(),
  bottleneck: z.number().int().min(1).max(512).optional(),
  activation: z.enum(['relu', 'tanh']).optional(),
  dropout: z.number().min(0).max(0.9).optional(),
  l2: z.number().min(0).max(1).optional(),
  thresholdPercentile: z.number().min(50).max(100).optional(),
  classWeighting: z.enum(['balanced', 'none']).optional(),
  // 1D-CNN
  windowLength: z.number().int().min(2).max(512).optional(),
  filters: layerWidths.optional(),
  kernelSize: z.union([z.number().int().min(1).max(64), z.array(z.number().int().min(1).max(64)).max(8)]).optional(),
  dense: layerWidths.optional(),
  /** Causal per-group exponential smoothing alpha (1 = raw). */
  smoothing: z.number().gt(0).max(1).optional(),
  /** Adds the order column (cycle) as a feature. */
  includeOrder: z.boolean().optional(),
};

/** Every training parameter name, in the order of the contract: listed in the 400 for an unknown one. */
export const TRAINING_PARAM_NAMES = Object.keys(trainingParamsShape) as (keyof typeof trainingParamsShape)[];

/**
 * Training parameters. Strict: an unknown name (a typo, another tool's option) is a 400 that lists
 * the allowed names, never silently dropped, so a job always trains with what was asked.
 */
export const trainingParamsSchema = z.strictObject(trainingParamsShape, {
  error: (iss) =>
    iss.code === 'unrecognized_keys'
      ? `Unknown training parameter${iss.keys.length > 1 ? 's' : ''}: ${iss.keys.join(', ')}. Allowed: ${TRAINING_PARAM_NAMES.join(', ')}`
      : undefined,
});
export type TrainingParams = z.infer<typeof trainingParamsSchema>;

export const trainingJobRequestSchema = z.object({
  datasetVersionId: id,
  kind: modelKindSchema,
  /** Experiment name; created on first use. Default: the dataset's name. */
  experiment: name.optional(),
  /** Registered model name the finished run becomes a version of. Default: the experiment name. */
  modelName: name.optional(),
  params: trainingParamsSchema.default({}),
  tags: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
  /** Attempts in all (pg-boss retries = maxAttempts - 1). */
  maxAttempts: z.number().int().min(1).max(5).default(2),
});
export type TrainingJobRequest = z.infer<typeof trainingJobRequestSchema>;

/**
 * The fleet ML service's `model_type` names, onto DriveLab's kinds. The one definition of the
 * mapping: the REST route, its 400s, the OpenAPI document and the README all read it from here.
 */
export const MODEL_TYPE_KINDS = {
  regression: 'mlp-regressor',
  classification: 'mlp-classifier',
  anomaly_detection: 'autoencoder',
  rul: 'cnn-regressor',
} as const satisfies Record<string, z.infer<typeof modelKindSchema>>;
export type ModelType = keyof typeof MODEL_TYPE_KINDS;
const modelTypeNames = Object.keys(MODEL_TYPE_KINDS) as [ModelType, ...ModelType[]];

export const describeModelTypes = () =>
  Object.entries(MODEL_TYPE_KINDS)
    .map(([t, k]) => `${t} → ${k}`)
    .join(', ');

const API_FIELDS = [
  'model_type',
  'kind',
  'dataset',
  'datasetVersionId',
  'config',
  'params',
  'experiment',
  'modelName',
  'tags',
  'maxAttempts',
] as const;

/**
 * POST /api/v1/training/jobs: the fleet ML service's body (`model_type`, `dataset` by name,
 * `config`) and DriveLab's own (`kind`, `datasetVersionId`, `params`), in any mix. Unknown
 * fields and unknown config keys are 400s that list what is allowed; nothing is dropped.
 */
export const trainingJobApiRequestSchema = z
  .strictObject(
    {
      model_type: z
        .enum(modelTypeNames, {
          error: () => `model_type is one of ${describeModelTypes()} (or send "kind": one of ${modelKinds.join(', ')})`,
        })
        .optional(),
      kind: modelKindSchema.optional(),
      /** A dataset by name: its latest version trains. */
      dataset: name.optional(),
      datasetVersionId: id.optional(),
      /** The fleet ML service's name for `params`. */
      config: trainingParamsSchema.optional(),
      params: trainingParamsSchema.optional(),
      experiment: name.optional(),
      modelName: name.optional(),
      tags: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
      maxAttempts: z.number().int().min(1).max(5).default(2),
    },
    {
      error: (iss) =>
        iss.code === 'unrecognized_keys'
          ? `Unknown field${iss.keys.length > 1 ? 's' : ''}: ${iss.keys.join(', ')}. Allowed: ${API_FIELDS.join(', ')}`
          : undefined,
    },
  )
  .superRefine((b, ctx) => {
    if (!b.kind && !b.model_type)
      ctx.addIssue({
        code: 'custom',
        path: ['model_type'],
        message: `Say what to train: "model_type" (${describeModelTypes()}) or "kind" (${modelKinds.join(', ')})`,
      });
    if (b.kind && b.model_type && MODEL_TYPE_KINDS[b.model_type] !== b.kind)
      ctx.addIssue({
        code: 'custom',
        path: ['kind'],
        message: `model_type "${b.model_type}" trains a ${MODEL_TYPE_KINDS[b.model_type]}, not a ${b.kind}; send one of them`,
      });
    if (!b.dataset && !b.datasetVersionId)
      ctx.addIssue({
        code: 'custom',
        path: ['dataset'],
        message: 'Name the data: "dataset" (a dataset name; its latest version) or "datasetVersionId"',
      });
    if (b.dataset && b.datasetVersionId)
      ctx.addIssue({ code: 'custom', path: ['dataset'], message: 'Send "dataset" or "datasetVersionId", not both' });
    if (b.config && b.params)
      ctx.addIssue({
        code: 'custom',
        path: ['config'],
        message: '"config" and "params" are the same training parameters; send one of them',
      });
  });
export type TrainingJobApiRequest = z.infer<typeof trainingJobApiRequestSchema>;

/** What the trainer queue carries: ids only; the worker reads everything else from Postgres. */
export const trainingQueuePayloadSchema = z.object({ jobId: id, orgId: id });
export type TrainingQueuePayload = z.infer<typeof trainingQueuePayloadSchema>;

export const trainingJobStates = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;

/**
 * dl.training (key: jobId): a job's state and, per epoch, its losses. The web relays it to the
 * job's room (`job:<id>`) and the org room; the same points are also stored, so a page opened
 * late draws the curve from Postgres and continues it live.
 */
export const trainingProgressSchema = z.object({
  v: z.literal(1),
  orgId: z.string().min(1),
  jobId: z.string().min(1),
  runId: z.string().min(1).nullable(),
  state: z.enum(trainingJobStates),
  attempt: z.number().int().min(0),
  epoch: z.number().int().min(0),
  maxEpochs: z.number().int().min(0),
  loss: z.number().nullable(),
  valLoss: z.number().nullable(),
  /** 0..1 */
  progress: z.number().min(0).max(1),
  etaMs: z.number().nonnegative().nullable(),
  elapsedMs: z.number().nonnegative(),
  backend: z.string().nullable(),
  error: z.string().max(2000).nullable(),
  modelVersionId: z.string().nullable(),
  metrics: z.record(z.string(), z.number().nullable()).nullable(),
  /** wall-clock epoch ms */
  ts: z.number().int().nonnegative(),
});
export type TrainingProgress = z.infer<typeof trainingProgressSchema>;

export const retrainScheduleSchema = z.object({
  modelName: name,
  /** Five-field cron, e.g. "0 3 * * *" (03:00 every day, UTC). */
  cron: z
    .string()
    .trim()
    .regex(/^(\S+\s+){4}\S+$/, 'a five-field cron expression, e.g. "0 3 * * *"'),
  datasetId: id,
  kind: modelKindSchema,
  experiment: name.optional(),
  params: trainingParamsSchema.default({}),
});
