import { audit } from '~/server/audit';
import { db } from '~/server/db';
import { authenticateRest, restRoute } from '~/server/http/rest';
import { readModelUpload, registerUploadedModel } from '~/server/inference/upload';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Bring your own model: multipart `file` (an .onnx, at most 64 MiB) and `options` (JSON: name,
 * task, featureNames, optional labels, threshold, output, preprocessing, reference) → the next
 * version of the model, checked in ONNX Runtime first. Engineers and above.
 */
export const POST = restRoute(async (req: Request) => {
  const auth = await authenticateRest(req, 'engineer');
  if (auth instanceof Response) return auth;
  const upload = await readModelUpload(req);
  const { version, checked } = await registerUploadedModel(db, {
    orgId: auth.orgId,
    bytes: upload.bytes,
    options: upload.options,
    createdById: auth.actor.userId ?? null,
  });
  await audit(db, {
    orgId: auth.orgId,
    action: 'model.uploaded',
    actor: auth.actor,
    target: { type: 'model', id: version.modelId },
    data: { name: upload.options.name, version: version.version, bytes: upload.bytes.length },
  });
  return Response.json(
    {
      model: upload.options.name,
      modelId: version.modelId,
      versionId: version.id,
      version: version.version,
      kind: version.kind,
      featureNames: version.featureNames,
      input: checked.inputName,
      scoreOutput: checked.scoreOutput,
      outputs: checked.outputs,
      reference: upload.options.reference?.length ?? 0,
    },
    { status: 201 },
  );
});
