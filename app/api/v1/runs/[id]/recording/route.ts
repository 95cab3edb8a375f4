import { db } from '~/server/db';
import { authenticateRest, jsonError, restRoute } from '~/server/http/rest';
import { objectStore } from '~/server/store/object-store';
import { recordingKey } from '~/server/store/recordings';

export const dynamic = 'force-dynamic';

type RouteContext = { params: Promise<{ id: string }> };

const CHUNK = 1024 * 1024;
const SAFE_ID = /^[A-Za-z0-9_.-]+$/;

/**
 * Downloads a run's MCAP recording (opens in Foxglove/Lichtblick). A run of another org, or an id
 * that is no run at all, is the same 404: no hint that it exists. The file is streamed in 1 MiB
 * reads from the object store, so a long run is never held in memory.
 */
export const GET = restRoute(async (req: Request, context: RouteContext) => {
  const auth = await authenticateRest(req, 'viewer');
  if (auth instanceof Response) return auth;
  const { id } = await context.params;
  if (!SAFE_ID.test(id)) return jsonError(404, 'Run not found');
  const run = await db.run.findFirst({ where: { id, orgId: auth.orgId }, select: { id: true } });
  if (!run) return jsonError(404, 'Run not found');

  const reader = await objectStore().openReader(recordingKey(auth.orgId, run.id));
  if (!reader)
    return jsonError(
      404,
      'This run has no recording yet: it is written while the run streams and published when the run ends.',
      { runId: run.id },
    );
  const size = await reader.size();
  let offset = 0n;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const length = size - offset < BigInt(CHUNK) ? size - offset : BigInt(CHUNK);
        const bytes = length > 0n ? await reader.read(offset, length) : new Uint8Array();
        if (bytes.byteLength === 0) {
          controller.close();
          await reader.close();
          return;
        }
        offset += BigInt(bytes.byteLength);
        controller.enqueue(bytes);
      } catch (err) {
        controller.error(err);
        await reader.close().catch(() => undefined);
      }
    },
    async cancel() {
      await reader.close();
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': size.toString(),
      'content-disposition': `attachment; filename="${run.id}.mcap"`,
      'cache-control': 'private, no-store',
    },
  });
});
