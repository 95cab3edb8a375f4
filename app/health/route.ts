import { healthReport } from '~/server/health';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * GET /health: the fleet ML service's liveness URL, as JSON for scripts and probes. Public like
 * /api/health (server.ts), and a route of its own so it never falls to the [org] pages, whose
 * layout sends a signed-out browser to the sign-in page.
 */
export async function GET() {
  const report = await healthReport();
  return Response.json(report, {
    status: report.status === 'ok' ? 200 : 503,
    headers: { 'cache-control': 'no-store' },
  });
}
