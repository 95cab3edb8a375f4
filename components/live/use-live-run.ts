'use client';

import { startTransition, useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { ChartPoint } from '~/server/contracts/chart-point';
import type { SimEvent } from '~/server/contracts/events';
import type { AlertMessage, PredictionMessage } from '~/server/contracts/predictions';
import type { RunStatus } from '~/server/contracts/run-status';
import type { TelemetryFrame } from '~/server/contracts/telemetry';

/** A live frame as a chart point: the shared channels plus each wheel's pressure. */
export interface SeriesPoint extends ChartPoint {
  fl: number | null;
  fr: number | null;
  rl: number | null;
  rr: number | null;
  /** The highest of the four wheels, and which wheel is lowest (the one to watch). */
  tyreMax: number | null;
  worstWheel: string | null;
}

/** One scored window of the selected vehicle: t is the window's end (event time). */
export interface ScorePoint {
  t: number;
  score: number;
  threshold: number | null;
  model: string;
  version: number;
}

export interface LiveSnapshot {
  connection: 'connecting' | 'live' | 'offline' | 'denied';
  status: RunStatus | null;
  latest: Map<string, TelemetryFrame>;
  series: SeriesPoint[];
  vehicles: string[];
  events: SimEvent[];
  /** Median frame `ts` → rendered, over the last renders, ms. */
  latencyMs: number | null;
  framesReceived: number;
  /** Anomaly scores of the selected vehicle, per model (name@alias). */
  scores: Map<string, ScorePoint[]>;
  /** Alerts of the run received live (the run view merges them with the stored ones). */
  alerts: AlertMessage[];
}

const WINDOW_S = 60;
const MAX_POINTS = 2000;
const RENDER_EVERY_MS = 200;
/**
 * A refresh waits at least this many times as long as the previous one took, so on a busy machine
 * the page refreshes less often instead of spending all its time redrawing (clicks, the pause
 * button and anything else reading the page then still get through).
 */
const IDLE_FACTOR = 3;
const MAX_WAIT_MS = 2000;

const WHEELS = ['FL', 'FR', 'RL', 'RR'] as const;

/** Min, max and the lowest wheel of one frame's four pressures (nulls are wheels without a reading). */
export function tyreSpread(pressures: readonly (number | null | undefined)[]): {
  tyreMin: number | null;
  tyreMax: number | null;
  worstWheel: string | null;
} {
  let lo: number | null = null;
  let hi: number | null = null;
  let worst: string | null = null;
  pressures.forEach((p, i) => {
    if (typeof p !== 'number' || !Number.isFinite(p)) return;
    if (lo === null || p < lo) [lo, worst] = [p, WHEELS[i] ?? null];
    if (hi === null || p > hi) hi = p;
  });
  return { tyreMin: lo, tyreMax: hi, worstWheel: worst };
}

export function toPoint(f: TelemetryFrame): SeriesPoint {
  const [fl, fr, rl, rr] = f.tires.pressure;
  return {
    ...tyreSpread(f.tires.pressure),
    t: f.t,
    speed: f.speed,
    accelLon: f.accel.lon,
    accelLat: f.accel.lat,
    engineTemp: f.powertrain.engineTemp,
    batteryTemp: f.powertrain.batteryTemp,
    brake: f.brakes.pressure,
    fl,
    fr,
    rl,
    rr,
  };
}

/**
 * Subscribes to a run's room on /live and keeps a rolling 60 s window per vehicle. Batches arrive
 * every ~100 ms; React state is refreshed at most 5 times a second, less often when redrawing is slow
 * (see IDLE_FACTOR), as an interruptible transition. Frames keep arriving and
 * buffering while the view is paused: freezing what is shown is the panel's job (live-panel.tsx),
 * so it can say how far behind the frozen view is.
 */
export function useLiveRun(runId: string, options: { vehicle: string; enabled: boolean }): LiveSnapshot {
  const series = useRef(new Map<string, SeriesPoint[]>());
  const latest = useRef(new Map<string, TelemetryFrame>());
  const events = useRef<SimEvent[]>([]);
  const status = useRef<RunStatus | null>(null);
  const scores = useRef(new Map<string, Map<string, ScorePoint[]>>());
  const alerts = useRef<AlertMessage[]>([]);
  const received = useRef(0);
  const newestTs = useRef(0);
  const latencies = useRef<number[]>([]);
  const [connection, setConnection] = useState<LiveSnapshot['connection']>('connecting');
  const [tick, setTick] = useState(0);
  const refreshAsked = useRef(0);

  useEffect(() => {
    if (!options.enabled) return;
    const socket: Socket = io('/live', { path: '/socket.io', transports: ['websocket', 'polling'] });
    socket.on('connect', () => {
      setConnection('live');
      socket.emit('join', { room: `run:${runId}` }, (r: { ok: boolean }) => {
        if (!r.ok) setConnection('denied');
      });
    });
    socket.on('disconnect', () => setConnection('offline'));
    socket.on('connect_error', () => setConnection('offline'));
    socket.on(
      'batch',
      (batch: {
        frames: TelemetryFrame[];
        events: SimEvent[];
        status: RunStatus | null;
        predictions?: PredictionMessage[];
        alerts?: AlertMessage[];
      }) => {
        for (const p of batch.predictions ?? []) {
          let byModel = scores.current.get(p.vehicleId);
          if (!byModel) scores.current.set(p.vehicleId, (byModel = new Map<string, ScorePoint[]>()));
          const key = `${p.modelName}@${p.alias}`;
          let pts = byModel.get(key);
          if (!pts) byModel.set(key, (pts = []));
          // A late re-emission of a window replaces its point.
          const at = pts.findIndex((x) => x.t === p.windowEnd);
          const point = {
            t: p.windowEnd,
            score: p.score,
            threshold: p.threshold,
            model: p.modelName,
            version: p.modelVersion,
          };
          if (at >= 0) pts[at] = point;
          else pts.push(point);
          while (pts.length > 0 && pts[0]!.t < p.windowEnd - WINDOW_S) pts.shift();
        }
        if (batch.alerts?.length) alerts.current = [...alerts.current, ...batch.alerts].slice(-200);
        for (const f of batch.frames) {
          latest.current.set(f.vehicleId, f);
          let s = series.current.get(f.vehicleId);
          if (!s) series.current.set(f.vehicleId, (s = []));
          s.push(toPoint(f));
          while (s.length > MAX_POINTS || (s.length > 0 && s[0]!.t < f.t - WINDOW_S)) s.shift();
          if (f.ts > newestTs.current) newestTs.current = f.ts;
        }
        received.current += batch.frames.length;
        if (batch.events.length) events.current = [...events.current, ...batch.events].slice(-500);
        if (batch.status) status.current = batch.status;
      },
    );
    return () => {
      socket.disconnect();
    };
  }, [runId, options.enabled]);

  // The next refresh is scheduled once the previous one is on the page, after a pause that grows
  // with what that refresh cost: refreshes never queue up behind each other.
  useEffect(() => {
    if (!options.enabled) return;
    const cost = refreshAsked.current ? performance.now() - refreshAsked.current : 0;
    const timer = setTimeout(
      () => {
        refreshAsked.current = performance.now();
        startTransition(() => setTick((n) => n + 1));
      },
      Math.min(MAX_WAIT_MS, Math.max(RENDER_EVERY_MS, cost * IDLE_FACTOR)),
    );
    return () => clearTimeout(timer);
  }, [tick, options.enabled]);

  // Glass-to-glass: measured after React committed the frames to the page.
  useEffect(() => {
    if (!newestTs.current) return;
    latencies.current = [...latencies.current.slice(-19), Date.now() - newestTs.current];
  }, [tick]);

  // Frames arrive at 20 Hz per vehicle into refs, without a render each; `tick` re-renders at
  // the paced rate above and this snapshot of the refs is what that render shows. Reading the
  // refs here is the point of the design, so the rule is off for the snapshot only.
  /* eslint-disable react-hooks/refs */
  const sorted = [...latencies.current].sort((a, b) => a - b);
  return {
    connection,
    status: status.current,
    latest: latest.current,
    series: [...(series.current.get(options.vehicle) ?? [])],
    vehicles: [...latest.current.keys()].sort((a, b) =>
      a === 'ego' ? -1 : b === 'ego' ? 1 : a.localeCompare(b, undefined, { numeric: true }),
    ),
    events: events.current,
    latencyMs: sorted.length ? sorted[Math.floor(sorted.length / 2)]! : null,
    framesReceived: received.current,
    scores: new Map(
      [...(scores.current.get(options.vehicle) ?? new Map<string, ScorePoint[]>())].map(([k, v]) => [k, [...v]]),
    ),
    alerts: alerts.current,
  };
  /* eslint-enable react-hooks/refs */
}
