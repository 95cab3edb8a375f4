'use client';

import type { MapOutline } from '~/server/maps/outline';
import type { TelemetryFrame } from '~/server/contracts/telemetry';

/**
 * The road network and every vehicle from above. The view follows the selected vehicle within
 * `span` metres, or shows the whole map; the ego is drawn larger, in the accent colour.
 */
export function BirdsEye({
  outline,
  vehicles,
  selected,
  follow,
  span = 260,
}: {
  outline: MapOutline;
  vehicles: TelemetryFrame[];
  selected: string;
  follow: boolean;
  span?: number;
}) {
  const focus = vehicles.find((v) => v.vehicleId === selected);
  const b = outline.bounds;
  const pad = 20;
  const view =
    follow && focus
      ? { x: focus.pose.x - span / 2, y: -focus.pose.y - span / 2, w: span, h: span }
      : { x: b.minX - pad, y: -b.maxY - pad, w: b.maxX - b.minX + 2 * pad, h: b.maxY - b.minY + 2 * pad };
  const scale = view.w / 600;
  return (
    <svg
      viewBox={`${view.x} ${view.y} ${view.w} ${view.h}`}
      className="canvas"
      height={420}
      data-testid="birds-eye"
      role="img"
      aria-label="Bird's-eye view of the run"
    >
      {/* y is flipped: the simulator's y grows north, SVG's grows down. */}
      {outline.lanes.map((l) => (
        <polyline
          key={l.id}
          points={l.points.map(([x, y]) => `${x},${-y}`).join(' ')}
          fill="none"
          stroke={l.kind === 'junction' ? 'var(--map-junction)' : 'var(--map-lane)'}
          strokeWidth={Math.max(l.width * 0.9, scale * 1.5)}
          strokeLinecap="round"
        />
      ))}
      {vehicles.map((v) => {
        const ego = v.vehicleId === 'ego';
        const sel = v.vehicleId === selected;
        const r = (ego ? 3.2 : 2.2) * Math.max(1, scale * 1.6);
        const hx = Math.cos(v.pose.yaw) * r * 1.8;
        const hy = -Math.sin(v.pose.yaw) * r * 1.8;
        return (
          <g
            key={v.vehicleId}
            data-testid={ego ? 'ego-marker' : undefined}
            data-x={v.pose.x.toFixed(2)}
            data-y={v.pose.y.toFixed(2)}
          >
            <line
              x1={v.pose.x}
              y1={-v.pose.y}
              x2={v.pose.x + hx}
              y2={-v.pose.y + hy}
              stroke={ego ? 'var(--accent)' : 'var(--muted)'}
              strokeWidth={r * 0.5}
            />
            <circle
              cx={v.pose.x}
              cy={-v.pose.y}
              r={r}
              fill={ego ? 'var(--accent)' : sel ? 'var(--warn)' : 'var(--map-vehicle)'}
              stroke={sel ? '#fff' : 'none'}
              strokeWidth={r * 0.3}
            />
          </g>
        );
      })}
    </svg>
  );
}
