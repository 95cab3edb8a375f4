import { z } from 'zod';
import { feedbackRequestSchema } from '../contracts/feedback';
import { uploadModelOptionsSchema } from '../contracts/model-upload';
import { aliasPromoteRequestSchema } from '../contracts/models';
import { predictRequestSchema, vehiclePredictRequestSchema } from '../contracts/predict';
import {
  describeModelTypes,
  MODEL_TYPE_KINDS,
  trainingJobApiRequestSchema,
  uploadOptionsSchema,
} from '../contracts/training';
import type { Role } from '../auth/roles';

/**
 * The OpenAPI 3.1 document of /api/v1 (and /health), served at /api/v1/openapi.json and shown
 * on the portal's API page. Request bodies come from the zod contracts themselves
 * (z.toJSONSchema, JSON Schema 2020-12 as OpenAPI 3.1 uses), so the document cannot drift from
 * what the routes accept; a test checks that every route file under app/api/v1 is listed here.
 */
export interface ApiOperation {
  method: 'get' | 'post';
  /** OpenAPI path: `{param}` for a Next.js `[param]` segment. */
  path: string;
  summary: string;
  description?: string;
  /** Least role of the caller; null = public. */
  minRole: Role | null;
  tag: string;
  body?: { schema: z.ZodType } | { multipart: Record<string, { description: string; schema?: z.ZodType }> };
  query?: Record<string, string>;
  /** The successful status and what it returns. */
  ok: { status: number; description: string; contentType?: string };
}

/**
 * Both upload routes read the same two parts (`server/http/multipart.ts`): the file itself and its
 * options as JSON text, so their documented bodies are built in one place too.
 */
function fileWithOptions(file: string, options: string, schema: z.ZodType): ApiOperation['body'] {
  return { multipart: { file: { description: file }, options: { description: options, schema } } };
}

const kindsTable = Object.entries(MODEL_TYPE_KINDS)
  .map(([t, k]) => `| \`${t}\` | \`${k}\` |`)
  .join('\n');

export const API_OPERATIONS: ApiOperation[] = [
  {
    method: 'get',
    path: '/health',
    summary: 'Service health (JSON, no sign-in)',
    minRole: null,
    tag: 'health',
    ok: { status: 200, description: 'Every dependency is up (503 with the same body when one is not)' },
  },
  {
    method: 'get',
    path: '/api/v1/openapi.json',
    summary: 'This document',
    minRole: null,
    tag: 'health',
    ok: { status: 200, description: 'OpenAPI 3.1 document of /api/v1' },
  },
  {
    method: 'get',
    path: '/api/v1/me',
    summary: 'The organization and role the key acts with',
    minRole: 'viewer',
    tag: 'auth',
    ok: { status: 200, description: '{org, role, actor, via}' },
  },
  {
    method: 'get',
    path: '/api/v1/models',
    summary: 'Registered models with versions, metrics, features, aliases and download links',
    minRole: 'viewer',
    tag: 'models',
    query: { name: 'Only the model of this name' },
    ok: { status: 200, description: '{org, models: [...]}' },
  },
  {
    method: 'post',
    path: '/api/v1/models/predict',
    summary: 'Predict with a model from named feature values',
    description:
      '`model` is the model name or id; the production alias serves unless `alias` or `version` is given. ' +
      'A `null` value means "no reading" and is imputed with the training mean.',
    minRole: 'viewer',
    tag: 'models',
    body: { schema: predictRequestSchema },
    ok: {
      status: 200,
      description:
        '{predictionId, model, version, versionId, alias, kind, prediction {score,label,threshold}, imputed, latencyMs}; ' +
        'send the observed outcome to /api/v1/feedback with the predictionId',
    },
  },
  {
    method: 'post',
    path: '/api/v1/models/explain',
    summary: 'Why: the prediction with each feature’s contribution (KernelSHAP)',
    description:
      'The same body as predict. Contributions are Shapley values over a background sample of the ' +
      'training set: `base` (the mean score over the background) + Σ contributions = the score.',
    minRole: 'viewer',
    tag: 'models',
    body: { schema: predictRequestSchema },
    ok: {
      status: 200,
      description: '{…predict, explanation {method, base, score, contributions [{feature, value, contribution}]}}',
    },
  },
  {
    method: 'post',
    path: '/api/v1/models/predict/vehicle',
    summary: "Predict from a vehicle's latest window in the online feature store",
    minRole: 'viewer',
    tag: 'models',
    body: { schema: vehiclePredictRequestSchema },
    ok: { status: 200, description: 'The prediction (with its predictionId) and the window it scored' },
  },
  {
    method: 'post',
    path: '/api/v1/feedback',
    summary: 'The observed outcome of a served prediction',
    description:
      'Name the prediction by `predictionId` (from predict), or by `model`, `vehicleId` and `time` (the latest ' +
      'prediction of that model for that vehicle in the hour up to `time`). `observed` is the target value for ' +
      'regressors, true/false (1/0) for anomaly models, the class for classifiers. The alias is re-evaluated: ' +
      'per-variant outcome metrics and an always-valid sequential test (mSPRT) of canary and shadow against the ' +
      'baseline; with automatic rollback on, a significantly worse canary is cleared. 404 when no such prediction.',
    minRole: 'engineer',
    tag: 'models',
    body: { schema: feedbackRequestSchema },
    ok: {
      status: 200,
      description: '{predictionId, model, version, variant, observed, labelled, outcomes {variants, canaryTest, …}}',
    },
  },
  {
    method: 'get',
    path: '/api/v1/models/{model}/versions/{version}/{file}',
    summary: "Download a version's artifact (model.onnx, sidecar.json, tfjs.json)",
    description: 'The model by name or id, the version by number or alias (`production`).',
    minRole: 'viewer',
    tag: 'models',
    ok: { status: 200, description: 'The file', contentType: 'application/octet-stream' },
  },
  {
    method: 'post',
    path: '/api/v1/models/{model}/aliases/{alias}',
    summary: 'Promote: point an alias at a version',
    description:
      'Admins move `production`, engineers the other aliases. An optional metric `gate` must pass ' +
      '(412 with the reason when it does not). Every move and every refused one is audited.',
    minRole: 'engineer',
    tag: 'models',
    body: { schema: aliasPromoteRequestSchema },
    ok: { status: 200, description: '{model, alias, action, versionId, version, gate, published, …}' },
  },
  {
    method: 'post',
    path: '/api/v1/models/upload',
    summary: 'Bring your own model: upload an ONNX file as the next version of a model',
    description:
      'Multipart `file` (an .onnx of at most 64 MiB: 413 beyond) and `options` (JSON). The model is loaded in ' +
      'ONNX Runtime and run once: one float32 input of [batch, features] matching `featureNames`, tensor ' +
      'outputs only (skl2onnx: zipmap=False), a score output (`output`, default the first) with one value ' +
      'per row or one probability per class. A mismatch is a 400 that says what the graph has. `task` sets ' +
      'how the score is read (regression, classification, anomaly); `reference` rows become the drift ' +
      'reference and explanation background (without them the first served window becomes the reference).\n\n' +
      "`curl -H 'authorization: Bearer dlk_…' -F file=@model.onnx " +
      '-F \'options={"name":"wear","task":"regression","featureNames":["engine_temp","vibration"]}\' ' +
      '…/api/v1/models/upload`',
    minRole: 'engineer',
    tag: 'models',
    body: fileWithOptions('The ONNX model', 'JSON text of the model options', uploadModelOptionsSchema),
    ok: {
      status: 201,
      description: '{model, modelId, versionId, version, kind, featureNames, input, scoreOutput, outputs, reference}',
    },
  },
  {
    method: 'get',
    path: '/api/v1/experiments',
    summary: 'Experiments with their runs: parameters, metrics, model versions',
    minRole: 'viewer',
    tag: 'training',
    ok: { status: 200, description: '{experiments: [...]}' },
  },
  {
    method: 'get',
    path: '/api/v1/experiments/runs/{id}/artifacts/{name}',
    summary: "Download an experiment run's artifact (onnx, tfjs, sidecar, normalisation, features, dataset)",
    minRole: 'viewer',
    tag: 'training',
    ok: { status: 200, description: 'The file', contentType: 'application/octet-stream' },
  },
  {
    method: 'post',
    path: '/api/v1/datasets/upload',
    summary: 'Upload a table (CSV or whitespace-separated) as a new dataset version',
    minRole: 'engineer',
    tag: 'training',
    body: fileWithOptions('The table', 'JSON text of the upload options', uploadOptionsSchema),
    ok: {
      status: 201,
      description: '{datasetId, versionId, version, fingerprint, rows, groups, featureNames, labelKind}',
    },
  },
  {
    method: 'get',
    path: '/api/v1/training/jobs',
    summary: 'The most recent training jobs',
    minRole: 'viewer',
    tag: 'training',
    ok: { status: 200, description: '{jobs: [...]}' },
  },
  {
    method: 'post',
    path: '/api/v1/training/jobs',
    summary: 'Queue a training job',
    description:
      'Say what to train with `model_type` (fleet ML service names) or `kind`; name the data with `dataset` ' +
      '(a dataset name: its latest version trains) or `datasetVersionId`; parameters go in `config` or `params`. ' +
      'Unknown fields and unknown parameters are a 400 that lists the allowed ones.\n\n' +
      `| model_type | kind |\n|---|---|\n${kindsTable}\n\n(${describeModelTypes()})`,
    minRole: 'engineer',
    tag: 'training',
    body: { schema: trainingJobApiRequestSchema },
    ok: { status: 201, description: '{job}' },
  },
  {
    method: 'get',
    path: '/api/v1/training/jobs/{id}',
    summary: 'One training job: state, progress, dataset, run metrics and loss curve, registered version',
    minRole: 'viewer',
    tag: 'training',
    ok: { status: 200, description: '{job}' },
  },
  {
    method: 'post',
    path: '/api/v1/training/jobs/{id}/cancel',
    summary: 'Cancel a training job (a running one stops at the end of its epoch)',
    minRole: 'engineer',
    tag: 'training',
    ok: { status: 200, description: '{job}' },
  },
  {
    method: 'get',
    path: '/api/v1/runs/{id}/recording',
    summary: "Download a run's MCAP recording",
    minRole: 'viewer',
    tag: 'runs',
    ok: { status: 200, description: 'MCAP file', contentType: 'application/octet-stream' },
  },
];

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  // Request bodies as a client writes them (defaults optional); refinements are checked by the route.
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

function operation(op: ApiOperation) {
  const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1]!,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const query = Object.entries(op.query ?? {}).map(([name, description]) => ({
    name,
    in: 'query',
    required: false,
    description,
    schema: { type: 'string' },
  }));
  let requestBody: Record<string, unknown> | undefined;
  if (op.body && 'schema' in op.body)
    requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(op.body.schema) } } };
  else if (op.body)
    requestBody = {
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            required: Object.keys(op.body.multipart),
            properties: Object.fromEntries(
              Object.entries(op.body.multipart).map(([name, part]) => [
                name,
                part.schema
                  ? {
                      type: 'string',
                      description: part.description,
                      contentMediaType: 'application/json',
                      contentSchema: jsonSchema(part.schema),
                    }
                  : { type: 'string', description: part.description, contentMediaType: 'application/octet-stream' },
              ]),
            ),
          },
        },
      },
    };
  const responses: Record<string, unknown> = {
    [String(op.ok.status)]: {
      description: op.ok.description,
      content: { [op.ok.contentType ?? 'application/json']: { schema: op.ok.contentType ? {} : { type: 'object' } } },
    },
  };
  if (op.body || params.length || query.length)
    responses['400'] = errorResponse('Invalid request: what is wrong and what is allowed');
  if (op.minRole) {
    responses['401'] = errorResponse('No or an invalid API key');
    responses['403'] = errorResponse(`Needs the ${op.minRole} role`);
    responses['429'] = errorResponse('Rate limited (Retry-After)');
  }
  if (params.length) responses['404'] = errorResponse('Not found (also for what belongs to another organization)');
  return {
    operationId: `${op.method}${op.path.replace(/[^A-Za-z0-9]+(\w)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    ...(op.minRole ? { 'x-min-role': op.minRole } : { security: [] }),
    ...(params.length || query.length ? { parameters: [...params, ...query] } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

/** Pure: the whole document. */
export function openApiDocument(serverUrl = '/') {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of API_OPERATIONS) (paths[op.path] ??= {})[op.method] = operation(op);
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'DriveLab API',
      version: '1',
      description:
        'The fleet ML service contract of DriveLab. Authenticate with an API key of your organization ' +
        '(Settings → API keys): `Authorization: Bearer dlk_…` or `X-API-Key: dlk_…`.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }, { apiKey: [] }],
    tags: [{ name: 'health' }, { name: 'auth' }, { name: 'models' }, { name: 'training' }, { name: 'runs' }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'dlk_…' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'string' } },
          additionalProperties: true,
        },
      },
    },
  };
}
