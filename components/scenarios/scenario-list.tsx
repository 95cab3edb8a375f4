'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { errorMessage } from '~/components/trpc/error-message';
import { Alert, Button, Card, EmptyState, SectionTitle, Table } from '~/components/ui';
import { relative } from '~/components/ui/format';
import { useTRPC } from '~/components/trpc/react';
import { useActionError } from '~/components/trpc/use-action-error';

const MAP_LABELS: Record<string, string> = {
  urban_grid: 'Urban grid',
  highway_ring: 'Highway ring',
  rural_hills: 'Rural hills',
};

export function ScenarioList({ org, canEdit }: { org: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const router = useRouter();
  const [showArchived, setShowArchived] = useState(false);
  const { error, setError, onError, attempt } = useActionError();
  const presets = useQuery(trpc.scenarios.presets.queryOptions({ org }));
  const list = useQuery(trpc.scenarios.list.queryOptions({ org, includeArchived: showArchived }));
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.scenarios.list.queryKey() });
  const duplicate = useMutation(trpc.scenarios.duplicate.mutationOptions({ onSettled: refresh }));
  const archive = useMutation(trpc.scenarios.setArchived.mutationOptions({ onSettled: refresh }));
  const start = useMutation(trpc.runs.start.mutationOptions());
  const importXosc = useMutation(trpc.scenarios.importXosc.mutationOptions({ onSettled: refresh }));
  const [imported, setImported] = useState<{ id: string; name: string; unsupported: string[]; notes: string[] } | null>(
    null,
  );

  return (
    <>
      {error && <Alert>{error}</Alert>}
      {canEdit && (
        <>
          <h3 className="section-title mt-2">Start from a preset</h3>
          <div className="preset-grid">
            {presets.data?.map((p) => (
              <a
                key={p.id}
                className="card preset"
                href={`/${org}/scenarios/new?preset=${p.id}`}
                data-testid={`preset-${p.id}`}
              >
                <span className="title">{p.name}</span>
                <span className="muted text-sm">
                  {MAP_LABELS[p.map] ?? p.map} · {p.durationS} s
                  {p.faults.length ? ` · ${p.faults.join(', ').replace(/_/g, ' ')}` : ''}
                </span>
              </a>
            ))}
            <a className="card preset" href={`/${org}/scenarios/new`}>
              <span className="title">Blank scenario</span>
              <span className="muted text-sm">Every field at its default</span>
            </a>
            <label className="card preset cursor-pointer">
              <span className="title">Import OpenSCENARIO</span>
              <span className="muted text-sm">A CARLA ScenarioRunner .xosc file</span>
              <input
                type="file"
                accept=".xosc,.xml"
                aria-label="Import OpenSCENARIO file"
                hidden
                onChange={async (e) => {
                  const file = e.target.files?.[0];
                  e.target.value = '';
                  if (!file) return;
                  setError(null);
                  setImported(null);
                  try {
                    setImported(await importXosc.mutateAsync({ org, xml: await file.text() }));
                  } catch (err) {
                    setError(`${file.name}: ${errorMessage(err)}`);
                  }
                }}
              />
            </label>
          </div>
          {imported && (
            <div className="alert alert-info mt-3" data-testid="import-report">
              Imported <a href={`/${org}/scenarios/${imported.id}`}>{imported.name}</a>.
              {imported.unsupported.length > 0 && (
                <>
                  {' '}
                  DriveLab does not model {imported.unsupported.length} element(s) of the file:
                  <ul className="compact-list">
                    {imported.unsupported.map((u) => (
                      <li key={u}>{u}</li>
                    ))}
                  </ul>
                </>
              )}
              {imported.notes.length > 0 && <div className="muted mt-1">{imported.notes.join(' ')}</div>}
            </div>
          )}
        </>
      )}
      <SectionTitle
        actions={
          <label className="muted text-sm flex gap-1 items-center">
            <input type="checkbox" checked={showArchived} onChange={(e) => setShowArchived(e.target.checked)} /> Show
            archived
          </label>
        }
      >
        Scenarios
      </SectionTitle>
      <Card flush>
        {list.data && list.data.length === 0 ? (
          <EmptyState>No scenarios yet{canEdit ? ': start from a preset above.' : '.'}</EmptyState>
        ) : (
          <Table data-testid="scenario-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Map</th>
                <th>Duration</th>
                <th>Traffic</th>
                <th>Faults</th>
                <th>Version</th>
                <th>Runs</th>
                <th>Updated</th>
                {canEdit && <th />}
              </tr>
            </thead>
            <tbody>
              {list.data?.map((s) => (
                <tr key={s.id} className={s.archived ? 'row-dim' : undefined}>
                  <td>
                    <a href={`/${org}/scenarios/${s.id}`}>{s.name}</a>
                    {s.archived && <span className="role-pill ml-2">archived</span>}
                  </td>
                  <td>{MAP_LABELS[s.map] ?? s.map}</td>
                  <td>{s.durationS} s</td>
                  <td>{s.vehicles} vehicles</td>
                  <td>{s.faults}</td>
                  <td>v{s.latestVersion}</td>
                  <td>{s.runs}</td>
                  <td className="muted">{relative(s.updatedAt)}</td>
                  {canEdit && (
                    <td className="actions">
                      {!s.archived && (
                        <Button
                          variant="primary"
                          size="sm"
                          disabled={start.isPending}
                          onClick={async () => {
                            await attempt(async () => {
                              const run = await start.mutateAsync({ org, scenarioId: s.id });
                              router.push(`/${org}/runs/${run.id}`);
                            });
                          }}
                        >
                          Run
                        </Button>
                      )}{' '}
                      <Button size="sm" onClick={() => duplicate.mutate({ org, id: s.id }, { onError })}>
                        Duplicate
                      </Button>{' '}
                      <Button
                        size="sm"
                        onClick={() => archive.mutate({ org, id: s.id, archived: !s.archived }, { onError })}
                      >
                        {s.archived ? 'Restore' : 'Archive'}
                      </Button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {list.isLoading && <EmptyState>Loading…</EmptyState>}
      </Card>
    </>
  );
}
