import { API_OPERATIONS, type ApiOperation } from '~/server/http/openapi';
import { MODEL_TYPE_KINDS } from '~/server/contracts/training';

/**
 * The portal's API page: every /api/v1 operation of the OpenAPI document, with who may call it,
 * and the example a fleet team starts from. Rendered on the server from the same table as
 * /api/v1/openapi.json, so the page and the document always agree.
 */
function Row({ op }: { op: ApiOperation }) {
  return (
    <tr data-testid="api-operation">
      <td>
        <code>{op.method.toUpperCase()}</code>
      </td>
      <td>
        <code>{op.path}</code>
      </td>
      <td>
        {op.summary}
        {op.description ? <div className="muted">{op.description.split('\n\n')[0]}</div> : null}
      </td>
      <td>{op.minRole ?? 'public'}</td>
    </tr>
  );
}

export function ApiReference({ origin }: { origin: string }) {
  const example = `curl -s ${origin}/api/v1/training/jobs -H "Authorization: Bearer $DRIVELAB_API_KEY" \\
  -H 'content-type: application/json' \\
  -d '{"model_type":"regression","dataset":"vehicle_maintenance","config":{"epochs":100}}'`;
  return (
    <div className="card">
      <h2>API reference</h2>
      <p className="sub">
        Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1). Authenticate with an
        API key from Settings → API keys.
      </p>
      {/* Focusable so keyboard users can scroll the long lines sideways on a phone. */}
      <pre tabIndex={0} aria-label="Example request">
        <code>{example}</code>
      </pre>
      <h3 className="section-title">model_type → kind</h3>
      <table className="kv" tabIndex={0} aria-label="model_type to kind">
        <tbody>
          {Object.entries(MODEL_TYPE_KINDS).map(([t, k]) => (
            <tr key={t}>
              <td>
                <code>{t}</code>
              </td>
              <td>
                <code>{k}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3 className="section-title">Operations</h3>
      <div className="table-scroll" role="region" aria-label="Operations" tabIndex={0}>
        <table className="data" data-testid="api-operations">
          <thead>
            <tr>
              <th>Method</th>
              <th>Path</th>
              <th>What it does</th>
              <th>Least role</th>
            </tr>
          </thead>
          <tbody>
            {API_OPERATIONS.map((op) => (
              <Row key={`${op.method} ${op.path}`} op={op} />
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
