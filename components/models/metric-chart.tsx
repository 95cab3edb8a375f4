'use client';

import { CHART_TONE, TimeSeriesChart } from '~/components/charts';
import type { AliasRow, ModelVersionRow } from './types';

/** One metric across versions, oldest first, with the version that production points at ringed. */
export function MetricChart({
  versions,
  aliases,
  metric,
}: {
  versions: ModelVersionRow[];
  aliases: AliasRow[];
  metric: string;
}) {
  const data = [...versions]
    .sort((a, b) => a.version - b.version)
    .map((v) => ({ version: v.version, value: v.metrics[metric] ?? null }));
  const production = aliases.find((a) => a.name === 'production');
  const prodPoint = production ? data.find((d) => d.version === production.version) : undefined;
  return (
    <div data-testid="metric-chart" data-metric={metric} data-points={data.filter((d) => d.value !== null).length}>
      <TimeSeriesChart
        data={data}
        x="version"
        integerX
        xDomain="nice"
        xFormat={(v) => `v${v}`}
        tooltipLabel={(v) => `version ${v}`}
        series={[{ key: 'value', name: metric, color: CHART_TONE.accent }]}
        height={220}
        dots
        connectNulls
        marks={
          prodPoint && prodPoint.value !== null
            ? [{ x: prodPoint.version, y: prodPoint.value, color: CHART_TONE.ok }]
            : []
        }
      />
    </div>
  );
}
