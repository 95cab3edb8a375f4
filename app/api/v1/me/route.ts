import { authenticateRest, restRoute } from '~/server/http/rest';

export const dynamic = 'force-dynamic';

/** Who am I to the API: the organization and role a key (or session) acts with. */
export const GET = restRoute(async (req: Request) => {
  const auth = await authenticateRest(req, 'viewer');
  if (auth instanceof Response) return auth;
  return Response.json({
    org: auth.orgSlug,
    role: auth.role,
    actor: auth.actor.label,
    via: auth.actor.apiKeyId ? 'apiKey' : 'session',
  });
});
