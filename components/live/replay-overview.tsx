'use client';

import { useRef, type PointerEvent } from 'react';
import type { XMarkerSpec } from '~/components/charts';

/**
 * The whole run in one strip under the replay controls: the ego's speed from start to end, the
 * faults, events and alerts as ticks, and the playhead. A click or a drag seeks.
 */
export function ReplayOverview({
  points,
  duration,
  t,
  markers,
  onSeek,
}: {
  /** (t, value) of the whole run, oldest first. */
  points: readonly { t: number; v: number | null }[];
  duration: number;
  t: number;
  markers?: readonly XMarkerSpec[];
  onSeek: (t: number) => void;
}) {
  const dragging = useRef(false);
  const W = 1000;
  const H = 40;
  const vs = points.flatMap((p) => (p.v === null ? [] : [p.v]));
  const lo = vs.length ? Math.min(...vs) : 0;
  const hi = vs.length ? Math.max(...vs) : 1;
  const span = hi - lo || 1;
  const sx = (x: number) => (duration > 0 ? (x / duration) * W : 0);
  const line = points
    .filter((p) => p.v !== null)
    .map((p) => `${sx(p.t).toFixed(1)},${(H - 4 - ((p.v! - lo) / span) * (H - 8)).toFixed(1)}`)
    .join(' ');
  const seekAt = (e: PointerEvent<SVGSVGElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const share = Math.min(1, Math.max(0, (e.clientX - box.left) / box.width));
    onSeek(share * duration);
  };
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      preserveAspectRatio="none"
      className="canvas replay-overview"
      data-testid="replay-overview"
      role="slider"
      aria-label="Whole run: click or drag to seek"
      aria-valuemin={0}
      aria-valuemax={duration}
      aria-valuenow={Number(t.toFixed(1))}
      onPointerDown={(e) => {
        dragging.current = true;
        e.currentTarget.setPointerCapture(e.pointerId);
        seekAt(e);
      }}
      onPointerMove={(e) => {
        if (dragging.current) seekAt(e);
      }}
      onPointerUp={() => {
        dragging.current = false;
      }}
      onPointerCancel={() => {
        dragging.current = false;
      }}
    >
      {markers?.map((m) => (
        <line
          key={`${m.x}-${m.label}`}
          x1={sx(m.x)}
          x2={sx(m.x)}
          y1={0}
          y2={H}
          stroke={m.color ?? 'var(--warn)'}
          className="replay-overview-marker"
        >
          <title>{`${m.label} at ${m.x.toFixed(1)} s`}</title>
        </line>
      ))}
      <polyline points={line} className="replay-overview-line" vectorEffect="non-scaling-stroke" />
      <line
        x1={sx(t)}
        x2={sx(t)}
        y1={0}
        y2={H}
        className="replay-overview-playhead"
        vectorEffect="non-scaling-stroke"
      />
    </svg>
  );
}
