'use client';

import { TimeSeriesChart, type ChartSeries } from '~/components/charts';

/** Loss curves by epoch; rows are { epoch, [series key]: value }. No animation: points stream in. */
export function LossChart({
  rows,
  series,
  height = 260,
  testId,
}: {
  rows: Record<string, number | null>[];
  series: ChartSeries[];
  height?: number;
  testId?: string;
}) {
  return (
    <div data-testid={testId} data-points={rows.length}>
      <TimeSeriesChart
        data={rows}
        x="epoch"
        xLabel="epoch"
        integerX
        xDomain="nice"
        series={series}
        height={height}
        legend
        connectNulls
        dots={rows.length < 30}
        tooltipLabel={(e) => `epoch ${e}`}
      />
    </div>
  );
}
