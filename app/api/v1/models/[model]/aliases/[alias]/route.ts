import { clientIp } from '~/server/auth/caller';
import { hasRole } from '~/server/auth/roles';
import { aliasNameSchema, aliasPromoteRequestSchema } from '~/server/contracts/models';
import { db } from '~/server/db';
import { authenticateRest, jsonError, parseJsonBody, restRoute } from '~/server/http/rest';
import { aliasMoveMinRole, moveAlias } from '~/server/models/aliases';

export const dynamic = 'force-dynamic';

type RouteContext = { params: Promise<{ model: string; alias: string }> };

/**
 * Promotes: points the model's alias (production, staging, …) at a version, through the same
 * domain move as the registry page: admins move production, engineers the rest; an optional
 * metric gate must pass; the move is audited and announced on dl.models. The model is named by
 * name or id; another org's model is the same 404 as none.
 */
export const POST = restRoute(async (req: Request, context: RouteContext) => {
  const auth = await authenticateRest(req, 'engineer');
  if (auth instanceof Response) return auth;
  const raw = await context.params;
  let modelRef: string;
  try {
    modelRef = decodeURIComponent(raw.model);
  } catch {
    return jsonError(404, 'Model not found');
  }
  const alias = aliasNameSchema.safeParse(raw.alias);
  if (!alias.success) return jsonError(400, `Alias names are ${alias.error.issues[0]!.message}`);
  const body = await parseJsonBody(req, aliasPromoteRequestSchema);
  if (body instanceof Response) return body;
  const need = aliasMoveMinRole({ action: 'promote', alias: alias.data });
  if (!hasRole(auth.role, need))
    return jsonError(403, `Moving "${alias.data}" needs the ${need} role; you are ${auth.role}.`);

  const model = await db.registeredModel.findFirst({
    where: { orgId: auth.orgId, OR: [{ id: modelRef }, { name: modelRef }] },
    select: { id: true, name: true },
  });
  if (!model) return jsonError(404, 'Model not found');
  const version = await db.modelVersion.findFirst({
    where: {
      orgId: auth.orgId,
      modelId: model.id,
      ...(body.versionId !== undefined ? { id: body.versionId } : { version: body.version }),
    },
    select: { id: true },
  });
  if (!version) return jsonError(404, `Model '${model.name}' has no such version`);
  // moveAlias throws AppError (403 role, 412 gate); restRoute maps it to the one error shape.
  const result = await moveAlias(
    db,
    { orgId: auth.orgId, actor: auth.actor, ip: clientIp(req.headers) },
    { action: 'promote', modelId: model.id, alias: alias.data, versionId: version.id, gate: body.gate ?? null },
  );
  return Response.json({ model: model.name, ...result });
});
