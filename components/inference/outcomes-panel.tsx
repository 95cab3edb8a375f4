'use client';

import { Time } from '~/components/ui/time';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { CHART_TONE, Histogram } from '~/components/charts';
import { errorMessage } from '~/components/trpc/error-message';
import { useTRPC } from '~/components/trpc/react';
import { Badge, Button, EmptyState, Table, type BadgeTone } from '~/components/ui';

const VERDICT: Record<string, { text: string; tone: BadgeTone }> = {
  'insufficient-data': { text: 'not enough labels yet', tone: 'wait' },
  'no-difference-yet': { text: 'no significant difference', tone: 'info' },
  'canary-worse': { text: 'significantly worse', tone: 'bad' },
  'canary-better': { text: 'significantly better', tone: 'ok' },
};
const TONE: Record<string, string> = {
  baseline: CHART_TONE.accent,
  canary: CHART_TONE.orange,
  shadow: CHART_TONE.muted,
};
const fixed = (v: number | null | undefined, d = 3) => (v === null || v === undefined ? '—' : v.toFixed(d));

/**
 * Outcomes of one deployment once observed labels arrive (POST /api/v1/feedback, or a simulated
 * run's fault events): per variant the labelled count and headline metric, and the always-valid
 * mSPRT verdict of canary and shadow against the baseline, correct however often it is looked at.
 */
export function OutcomesPanel({ org, modelId, alias }: { org: string; modelId: string; alias: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const q = useQuery(trpc.models.outcomes.queryOptions({ org, modelId, alias }, { refetchInterval: 5000 }));
  const policy = useMutation(trpc.models.setAutoRollback.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  const r = q.data;
  if (q.error) return <div className="alert alert-error">{q.error.message}</div>;
  if (!r) return null;
  const labelled = r.variants.some((v) => v.outcome.n > 0);
  const tests = [
    { variant: 'canary', test: r.canaryTest },
    { variant: 'shadow', test: r.shadowTest },
  ].filter((t) => t.test);
  const headline = r.variants[0]?.outcome.headline.name ?? 'accuracy';
  const toggle = () => {
    setError(null);
    policy.mutate(
      { org, modelId, alias, autoRollback: !r.autoRollback },
      {
        onError: (e) => setError(errorMessage(e)),
        onSuccess: () => void qc.invalidateQueries({ queryKey: trpc.models.outcomes.queryKey() }),
      },
    );
  };
  return (
    <div className="mt-2" data-testid={`outcomes-${alias}`}>
      <div className="toolbar justify-between mb-1">
        <h3 className="mb-0">Outcomes</h3>
        <div className="toolbar">
          <Badge tone={r.autoRollback ? 'ok' : 'info'} data-testid="outcomes-autorollback">
            automatic rollback {r.autoRollback ? 'on' : 'off'}
          </Badge>
          <Button size="sm" onClick={toggle} disabled={policy.isPending}>
            {r.autoRollback ? 'Turn off' : 'Turn on'}
          </Button>
        </div>
      </div>
      {error && <div className="alert alert-error">{error}</div>}
      {!labelled ? (
        <EmptyState>
          No observed outcomes yet. Send them to <code>POST /api/v1/feedback</code> with the predictionId the predict
          API returns; simulated runs label their own from fault events.
        </EmptyState>
      ) : (
        <div className="columns-2">
          <div>
            <Table data-testid="outcomes-table">
              <thead>
                <tr>
                  <th className="text-left">Variant</th>
                  <th className="text-left">Labelled</th>
                  <th className="text-left">{headline === 'rmse' ? 'RMSE' : 'Accuracy'}</th>
                  <th className="text-left">vs baseline (mSPRT, α = 0.05)</th>
                </tr>
              </thead>
              <tbody>
                {r.variants.map((v) => {
                  const t = tests.find((x) => x.variant === v.variant)?.test;
                  const verdict = t ? VERDICT[t.verdict] : null;
                  return (
                    <tr key={v.variant} data-testid={`outcomes-${v.variant}`}>
                      <td>
                        {v.variant} v{v.version}
                      </td>
                      <td className="num">{v.outcome.n.toLocaleString()}</td>
                      <td className="num">{fixed(v.outcome.headline.value)}</td>
                      <td>
                        {verdict && t ? (
                          <>
                            <Badge tone={verdict.tone}>{verdict.text}</Badge>{' '}
                            <span className="muted text-sm">
                              p = {fixed(t.pValue)}
                              {t.interval ? `, Δ loss ∈ [${fixed(t.interval[0])}, ${fixed(t.interval[1])}]` : ''}
                            </span>
                          </>
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </Table>
            <p className="muted text-sm">
              Labels of predictions served since <Time value={r.since} /> (the last change of this alias). The
              always-valid p-value stays correct however often this page refreshes.
            </p>
          </div>
          <div>
            <div className="muted text-sm mb-1">{headline === 'rmse' ? 'RMSE' : 'Accuracy'} per variant</div>
            <Histogram
              bins={[
                Object.fromEntries([
                  ['metric', headline],
                  ...r.variants.map((v) => [v.variant, v.outcome.headline.value]),
                ]),
              ]}
              binKey="metric"
              series={r.variants.map((v) => ({
                key: v.variant,
                name: `${v.variant} v${v.version}`,
                color: TONE[v.variant] ?? CHART_TONE.accent,
              }))}
            />
          </div>
        </div>
      )}
    </div>
  );
}
