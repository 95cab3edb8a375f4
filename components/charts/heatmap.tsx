export interface HeatmapProps {
  /** Column labels, left to right. */
  xs: readonly string[];
  /** Row labels, top to bottom. */
  ys: readonly string[];
  /** Caption of the row labels' column (the y parameter's name). */
  yTitle?: string;
  /** Caption over the column labels (the x parameter's name), drawn as its own row. */
  xTitle?: string;
  /** The value of a cell, or null when it has none (drawn as an empty cell). */
  value: (x: string, y: string) => number | null;
  /** Fill of a cell with a value: a CSS colour computed from the value. */
  color: (v: number) => string;
  /** Text printed in a cell with a value. */
  format: (v: number) => string;
  testId?: string;
}

const LABEL_W = 150;
const CELL_W = 72;
const CELL_H = 30;
const GAP = 2;

/**
 * A grid of coloured cells with row and column labels, drawn as SVG so that each cell's colour is
 * an attribute, not an inline style. It keeps its natural size and scrolls when it is too wide.
 */
export function Heatmap({ xs, ys, yTitle, xTitle, value, color, format, testId }: HeatmapProps) {
  const top = xTitle ? CELL_H : 0;
  const width = LABEL_W + xs.length * (CELL_W + GAP);
  const height = top + (ys.length + 1) * (CELL_H + GAP);
  const colX = (i: number) => LABEL_W + i * (CELL_W + GAP);
  const rowY = (j: number) => top + (j + 1) * (CELL_H + GAP);
  return (
    <div className="heatmap" data-testid={testId}>
      <svg width={width} height={height} role="img" aria-label={`Heatmap of ${ys.length} × ${xs.length} cells`}>
        {xTitle && (
          <text
            className="heatmap-title"
            x={LABEL_W + (width - LABEL_W) / 2}
            y={CELL_H / 2}
            textAnchor="middle"
            dominantBaseline="central"
            data-testid="heatmap-x-title"
          >
            {xTitle}
          </text>
        )}
        <text
          className="heatmap-title"
          x={LABEL_W / 2}
          y={top + CELL_H / 2}
          textAnchor="middle"
          dominantBaseline="central"
          data-testid="heatmap-y-title"
        >
          {yTitle ?? ''}
        </text>
        {xs.map((x, i) => (
          <text
            key={x}
            className="heatmap-axis"
            x={colX(i) + CELL_W / 2}
            y={top + CELL_H / 2}
            textAnchor="middle"
            dominantBaseline="central"
          >
            {x}
          </text>
        ))}
        {ys.map((y, j) => (
          <g key={y}>
            <text
              className="heatmap-axis"
              x={LABEL_W / 2}
              y={rowY(j) + CELL_H / 2}
              textAnchor="middle"
              dominantBaseline="central"
            >
              {y}
            </text>
            {xs.map((x, i) => {
              const v = value(x, y);
              return (
                <g key={x}>
                  <rect
                    x={colX(i)}
                    y={rowY(j)}
                    width={CELL_W}
                    height={CELL_H}
                    rx={4}
                    fill={v === null ? 'var(--panel-2)' : color(v)}
                  >
                    <title>{`${y} · ${x}: ${v === null ? 'no value' : format(v)}`}</title>
                  </rect>
                  <text
                    className={v === null ? 'heatmap-empty' : 'heatmap-value'}
                    x={colX(i) + CELL_W / 2}
                    y={rowY(j) + CELL_H / 2}
                    textAnchor="middle"
                    dominantBaseline="central"
                  >
                    {v === null ? '·' : format(v)}
                  </text>
                </g>
              );
            })}
          </g>
        ))}
      </svg>
    </div>
  );
}
