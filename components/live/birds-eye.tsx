'use client';

import { memo, useEffect, useRef, useState, type PointerEvent, type WheelEvent } from 'react';
import type { MapOutline } from '~/server/maps/outline';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import { Button, Tabs } from '~/components/ui';
import { fitBox, type Box } from './map-frame';

/** How the view is framed: every vehicle (the default), the whole map, or following the ego. */
export type BirdsEyeMode = 'fit' | 'map' | 'follow';

const MODES = [
  { key: 'fit', label: 'Fit all vehicles' },
  { key: 'map', label: 'Whole map' },
  { key: 'follow', label: 'Follow ego' },
] as const;

const FOLLOW_SPAN = 160;

/** A round scale-bar length (1, 2 or 5 × 10ⁿ m) near a fifth of the view's width. */
function niceLength(span: number): number {
  const target = span / 5;
  const p = 10 ** Math.floor(Math.log10(target));
  return [5, 2, 1].map((k) => k * p).find((v) => v <= target) ?? p;
}

const pointsOf = (pts: readonly [number, number][]) => pts.map(([x, y]) => `${x},${-y}`).join(' ');

/**
 * The road network, drawn once per map and zoom step: redrawing every lane on each live refresh
 * costs more than the vehicles themselves. `px` is one screen pixel in map units.
 */
const Roads = memo(function Roads({ outline, px }: { outline: MapOutline; px: number }) {
  return (
    <g>
      {outline.areas.map((a, i) => (
        <polygon
          key={`a${i}`}
          points={pointsOf(a.points)}
          className={`map-area map-area-${a.kind}`}
          data-testid={a.kind === 'drivable' ? 'map-lane' : undefined}
        />
      ))}
      {outline.marks.map((m, i) => (
        <polyline
          key={`m${i}`}
          points={pointsOf(m.points)}
          className={`map-mark map-mark-${m.color}`}
          strokeWidth={Math.max(0.15, px)}
          strokeDasharray={m.style === 'broken' ? '3 6' : undefined}
        />
      ))}
      {outline.lanes.map((l) => (
        <polyline
          key={l.id}
          points={pointsOf(l.points)}
          className={l.kind === 'junction' ? 'map-centre map-centre-junction' : 'map-centre'}
          data-testid="map-lane"
          strokeWidth={Math.max(l.width * 0.9, px * 1.5)}
        />
      ))}{' '}
    </g>
  );
});

/**
 * The road network and every vehicle from above, each vehicle labelled. Framing: all vehicles
 * (default), the whole map, or following the selected vehicle; the wheel and the +/− buttons
 * zoom, dragging pans, and a scale bar gives the distances. OpenDRIVE maps draw their lane
 * surfaces and road marks; built-in maps their lane centre lines at lane width.
 */
export const BirdsEye = memo(function BirdsEye({
  outline,
  vehicles,
  selected,
  alerting,
  initialMode = 'fit',
}: {
  outline: MapOutline;
  vehicles: TelemetryFrame[];
  selected: string;
  /** Vehicles with an anomaly alert in this run: drawn red and always labelled. */
  alerting?: ReadonlySet<string>;
  initialMode?: BirdsEyeMode;
}) {
  // Twenty labels side by side are a smear: only the ego, the selected, alerting and hovered
  // vehicles carry their name.
  const [hovered, setHovered] = useState<string | null>(null);
  const [mode, setMode] = useState<BirdsEyeMode>(initialMode);
  const [zoom, setZoom] = useState(1);
  const [pan, setPan] = useState({ x: 0, y: 0 });
  const drag = useRef<{ x: number; y: number; px: number; py: number } | null>(null);
  const svg = useRef<SVGSVGElement>(null);
  const [size, setSize] = useState({ w: 900, h: 520 });
  useEffect(() => {
    const el = svg.current;
    if (!el) return;
    const measure = () => setSize({ w: el.clientWidth || 900, h: el.clientHeight || 520 });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const b = outline.bounds;
  const pad = 20;
  const whole: Box = { x: b.minX - pad, y: -b.maxY - pad, w: b.maxX - b.minX + 2 * pad, h: b.maxY - b.minY + 2 * pad };
  let base = whole;
  const focus = vehicles.find((v) => v.vehicleId === selected) ?? vehicles.find((v) => v.vehicleId === 'ego');
  if (mode === 'follow' && focus) {
    base = { x: focus.pose.x - FOLLOW_SPAN / 2, y: -focus.pose.y - FOLLOW_SPAN / 2, w: FOLLOW_SPAN, h: FOLLOW_SPAN };
  } else if (mode === 'fit') {
    base = fitBox(vehicles.map((v) => v.pose)) ?? whole;
  }
  const w = base.w / zoom;
  const h = base.h / zoom;
  const view: Box = { x: base.x + (base.w - w) / 2 + pan.x, y: base.y + (base.h - h) / 2 + pan.y, w, h };
  // Metres per on-screen pixel: the SVG keeps the aspect ratio, so the tighter axis decides.
  const widthPx = size.w;
  const heightPx = size.h;
  const mPerPx = Math.max(view.w / widthPx, view.h / heightPx);
  const shownW = widthPx * mPerPx;
  const shownH = heightPx * mPerPx;
  const left = view.x + view.w / 2 - shownW / 2;
  const bottom = view.y + view.h / 2 + shownH / 2;
  const bar = niceLength(shownW);

  const select = (m: string) => {
    setMode(m as BirdsEyeMode);
    setZoom(1);
    setPan({ x: 0, y: 0 });
  };
  const zoomBy = (f: number) => setZoom((z) => Math.min(200, Math.max(0.05, z * f)));
  const onWheel = (e: WheelEvent<SVGSVGElement>) => zoomBy(e.deltaY < 0 ? 1.25 : 0.8);
  const onPointerDown = (e: PointerEvent<SVGSVGElement>) => {
    drag.current = { x: e.clientX, y: e.clientY, px: pan.x, py: pan.y };
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent<SVGSVGElement>) => {
    const d = drag.current;
    if (!d) return;
    setPan({ x: d.px - (e.clientX - d.x) * mPerPx, y: d.py - (e.clientY - d.y) * mPerPx });
  };
  const onPointerUp = () => {
    drag.current = null;
  };

  const px = mPerPx; // one screen pixel in map units
  // Quarter steps of a doubling: the fitted view changes a little with each frame, the road widths need not.
  const roadPx = 2 ** (Math.round(Math.log2(px) * 4) / 4);
  return (
    <div className="birds-eye" data-testid="birds-eye-panel">
      <div className="toolbar justify-between mb-2">
        <Tabs items={MODES} current={mode} onSelect={select} label="Map view" />
        <div className="toolbar">
          <Button size="sm" onClick={() => zoomBy(1.5)} aria-label="Zoom in">
            +
          </Button>
          <Button size="sm" onClick={() => zoomBy(1 / 1.5)} aria-label="Zoom out">
            −
          </Button>
        </div>
      </div>
      <svg
        ref={svg}
        viewBox={`${left} ${bottom - shownH} ${shownW} ${shownH}`}
        className="canvas map-canvas"
        data-testid="birds-eye"
        data-mode={mode}
        data-view={`${view.x.toFixed(1)} ${view.y.toFixed(1)} ${view.w.toFixed(1)} ${view.h.toFixed(1)}`}
        role="img"
        aria-label="Bird's-eye view of the run"
        onWheel={onWheel}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        // The hovered name stays until the pointer reaches another vehicle or leaves the map: a
        // moving vehicle drives out from under a still pointer within a frame or two.
        onPointerLeave={() => setHovered(null)}
      >
        {/* y is flipped: the map's y grows north, SVG's grows down. */}
        <Roads outline={outline} px={roadPx} />
        {vehicles.map((v) => {
          const ego = v.vehicleId === 'ego';
          const sel = v.vehicleId === selected;
          const alert = alerting?.has(v.vehicleId) ?? false;
          const labelled = ego || sel || alert || v.vehicleId === hovered;
          // At least a few pixels wide, at most the vehicle's own size once zoomed in.
          const r = Math.max(ego ? 1.4 : 1.1, (ego ? 5 : 3.5) * px);
          const hx = Math.cos(v.pose.yaw) * r * 1.8;
          const hy = -Math.sin(v.pose.yaw) * r * 1.8;
          // Near the right edge the name goes on the vehicle's left, so the card does not clip it.
          const leftOf = v.pose.x > left + shownW * 0.8;
          return (
            <g
              key={v.vehicleId}
              data-testid={ego ? 'ego-marker' : 'vehicle-marker'}
              data-vehicle={v.vehicleId}
              data-x={v.pose.x.toFixed(2)}
              data-y={v.pose.y.toFixed(2)}
              data-alerting={alert || undefined}
              onPointerEnter={() => setHovered(v.vehicleId)}
            >
              <title>{v.vehicleId}</title>
              <line
                x1={v.pose.x}
                y1={-v.pose.y}
                x2={v.pose.x + hx}
                y2={-v.pose.y + hy}
                className={ego ? 'map-heading map-heading-ego' : 'map-heading'}
                strokeWidth={r * 0.5}
              />
              <circle
                cx={v.pose.x}
                cy={-v.pose.y}
                r={r}
                className={`map-vehicle${ego ? ' map-vehicle-ego' : ''}${sel && !ego ? ' map-vehicle-selected' : ''}${alert ? ' map-vehicle-alert' : ''}`}
                strokeWidth={r * 0.3}
              />
              {labelled && (
                <text
                  x={leftOf ? v.pose.x - r * 1.4 : v.pose.x + r * 1.4}
                  y={-v.pose.y - r * 1.2}
                  textAnchor={leftOf ? 'end' : 'start'}
                  className="map-label"
                  fontSize={11 * px}
                  data-testid="vehicle-label"
                >
                  {v.vehicleId}
                </text>
              )}
            </g>
          );
        })}
        <g data-testid="scale-bar" data-metres={bar}>
          <line
            x1={left + 14 * px}
            y1={bottom - 14 * px}
            x2={left + 14 * px + bar}
            y2={bottom - 14 * px}
            className="map-scale"
            strokeWidth={3 * px}
          />
          <text x={left + 14 * px} y={bottom - 22 * px} className="map-label" fontSize={11 * px}>
            {bar >= 1000 ? `${bar / 1000} km` : `${bar} m`}
          </text>
        </g>
      </svg>
      <div className="map-legend" data-testid="map-legend">
        <span>
          <span className="map-key map-key-ego" /> ego
        </span>
        <span>
          <span className="map-key" /> traffic
        </span>
        <span>
          <span className="map-key map-key-selected" /> selected
        </span>
        <span>
          <span className="map-key map-key-alert" /> alerting
        </span>
        <span className="muted">hover a vehicle for its name</span>
      </div>
    </div>
  );
});
