import { db } from '~/server/db';
import { authenticateRest, restRoute } from '~/server/http/rest';
import { createUploadDatasetVersion } from '~/server/training/datasets';
import { readUploadRequest } from '~/server/training/upload-request';

export const dynamic = 'force-dynamic';

/**
 * Uploads a table (CSV or whitespace-separated, e.g. C-MAPSS) as a new dataset version:
 * multipart `file` + `options` (JSON: name, columns, groupColumn, orderColumn, label …).
 * Engineers and above; the portal's upload form and API keys use the same route.
 */
export const POST = restRoute(async (req: Request) => {
  const auth = await authenticateRest(req, 'engineer');
  if (auth instanceof Response) return auth;
  const upload = await readUploadRequest(req);
  const version = await createUploadDatasetVersion(db, {
    orgId: auth.orgId,
    fileName: upload.fileName,
    bytes: upload.bytes,
    options: upload.options,
    createdById: auth.actor.userId ?? null,
  });
  return Response.json(
    {
      datasetId: version.datasetId,
      versionId: version.id,
      version: version.version,
      fingerprint: version.fingerprint,
      rows: version.rowCount,
      groups: version.groupCount,
      featureNames: version.featureNames,
      labelKind: version.labelKind,
      // Columns that are not features and why (e.g. not numeric), never dropped silently.
      skippedColumns: (version.stats as { skippedColumns?: unknown } | null)?.skippedColumns ?? [],
    },
    { status: 201 },
  );
});
