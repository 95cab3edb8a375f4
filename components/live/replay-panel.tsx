'use client';

import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { BuiltinMapId } from '~/server/contracts/scenario';
import type { XMarkerSpec } from '~/components/charts';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import { useTRPC } from '~/components/trpc/react';
import { BirdsEye } from './birds-eye';
import { LiveCharts } from './live-charts';
import { ReplayOverview } from './replay-overview';
import { toPoint } from './use-live-run';
import { Button, Card, EmptyState, Select } from '~/components/ui';

const SPEEDS = [0.5, 1, 2, 5, 10];
const BEHIND_S = 60;
const AHEAD_S = 30;

/** Reads ?t= once, and keeps it in the address bar so a moment of a run can be linked. */
function initialT(): number {
  if (typeof window === 'undefined') return 0;
  const t = Number(new URLSearchParams(window.location.search).get('t'));
  return Number.isFinite(t) && t > 0 ? t : 0;
}

/**
 * Replay of a finished run from its recording: one playhead drives the charts, the map and the
 * timeline; play/pause, ×0.5–×10, scrubbing, and deep links with ?t=.
 */
export function ReplayPanel({
  org,
  runId,
  map,
  roadNetwork,
  duration,
  onSeekEvent,
  markers,
}: {
  org: string;
  runId: string;
  map: BuiltinMapId;
  /** the organisation's OpenDRIVE map the run drives on, when not a built-in one */
  roadNetwork?: { mapId: string; version: number };
  duration: number;
  onSeekEvent?: (seek: (t: number) => void) => void;
  markers?: readonly XMarkerSpec[];
}) {
  const trpc = useTRPC();
  const [t, setT] = useState(() => Math.min(initialT(), duration));
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(1);
  const [vehicle, setVehicle] = useState('ego');
  const [chunk, setChunk] = useState(() => ({ from: Math.max(0, initialT() - BEHIND_S), to: initialT() + AHEAD_S }));
  const outline = useQuery(
    trpc.runs.mapOutline.queryOptions(
      { org, map, ...(roadNetwork ? { roadNetwork: { mapId: roadNetwork.mapId, version: roadNetwork.version } } : {}) },
      { staleTime: Infinity },
    ),
  );
  // The whole run, coarse (about 300 frames a vehicle), for the overview strip.
  const whole = useQuery(
    trpc.runs.replay.queryOptions(
      { org, id: runId, from: 0, to: Math.max(duration, 0.1), maxHz: Math.min(2, Math.max(0.01, 300 / duration)) },
      { staleTime: Infinity, retry: 20, retryDelay: 1500 },
    ),
  );
  const overview = useMemo(
    () => (whole.data?.frames ?? []).filter((f) => f.vehicleId === vehicle).map((f) => ({ t: f.t, v: f.speed })),
    [whole.data, vehicle],
  );
  const data = useQuery(
    trpc.runs.replay.queryOptions(
      { org, id: runId, from: chunk.from, to: chunk.to, maxHz: 10 },
      { staleTime: Infinity, placeholderData: (prev) => prev, retry: 20, retryDelay: 1500 },
    ),
  );

  // Load the next stretch before the playhead reaches the end of what is loaded.
  useEffect(() => {
    if (t < chunk.from + (chunk.from > 0 ? BEHIND_S * 0.5 : 0) || t > chunk.to - 5)
      // The playhead left the loaded stretch: one update, after which t is inside it again.
      // eslint-disable-next-line react-hooks/set-state-in-effect
      setChunk({ from: Math.max(0, t - BEHIND_S), to: t + AHEAD_S });
  }, [t, chunk]);

  const last = useRef<number | null>(null);
  useEffect(() => {
    if (!playing) return;
    let raf = 0;
    const tick = (now: number) => {
      const dt = last.current === null ? 0 : (now - last.current) / 1000;
      last.current = now;
      setT((prev) => {
        const next = prev + dt * speed;
        if (next >= duration) {
          setPlaying(false);
          return duration;
        }
        return next;
      });
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(raf);
      last.current = null;
    };
  }, [playing, speed, duration]);

  useEffect(() => {
    if (playing) return;
    const url = new URL(window.location.href);
    url.searchParams.set('t', t.toFixed(1));
    window.history.replaceState(null, '', url);
  }, [t, playing]);

  useEffect(() => {
    onSeekEvent?.((to: number) => {
      setPlaying(false);
      setT(to);
    });
  }, [onSeekEvent]);

  const frames = data.data?.frames;
  const { latest, series, vehicles } = useMemo(() => {
    const latestByVehicle = new Map<string, TelemetryFrame>();
    const names = new Set<string>();
    const pts = [];
    for (const f of frames ?? []) {
      names.add(f.vehicleId);
      if (f.t > t) continue;
      latestByVehicle.set(f.vehicleId, f);
      if (f.vehicleId === vehicle && f.t >= t - BEHIND_S) pts.push(toPoint(f));
    }
    return {
      latest: [...latestByVehicle.values()],
      series: pts,
      vehicles: [...names].sort((a, b) =>
        a === 'ego' ? -1 : b === 'ego' ? 1 : a.localeCompare(b, undefined, { numeric: true }),
      ),
    };
  }, [frames, t, vehicle]);

  return (
    <section className="mb-5" data-testid="replay-panel">
      <Card className="mb-3">
        <div className="toolbar gap-3">
          <Button variant="primary" size="sm" className="w-2xs" onClick={() => setPlaying(!playing)} disabled={!frames}>
            {playing ? 'Pause' : 'Play'}
          </Button>
          <Select
            width="2xs"
            className="h-sm"
            aria-label="Replay speed"
            value={speed}
            onChange={(e) => setSpeed(Number(e.target.value))}
          >
            {SPEEDS.map((s) => (
              <option key={s} value={s}>
                ×{s}
              </option>
            ))}
          </Select>
          <input
            type="range"
            aria-label="Playhead"
            min={0}
            max={duration}
            step={0.05}
            value={t}
            className="grow"
            onChange={(e) => {
              setPlaying(false);
              setT(Number(e.target.value));
            }}
          />
          <span className="num w-xs text-right" data-testid="playhead">
            {t.toFixed(1)} / {duration.toFixed(0)} s
          </span>
          <Select
            width="xs"
            className="h-sm"
            aria-label="Vehicle"
            value={vehicle}
            onChange={(e) => setVehicle(e.target.value)}
          >
            {(vehicles.length ? vehicles : ['ego']).map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </Select>
        </div>
        <ReplayOverview
          points={overview}
          duration={duration}
          t={t}
          markers={markers}
          onSeek={(to) => {
            setPlaying(false);
            setT(to);
          }}
        />
        {data.error && <p className="error-text">{data.error.message}</p>}
        {/* A seek outside what is loaded shows that it is loading instead of empty charts. */}
        {(data.isLoading || data.isPlaceholderData) && (
          <p className="muted text-sm" role="status" data-testid="replay-loading">
            Loading {t.toFixed(0)} s…
          </p>
        )}
      </Card>
      <div className="columns-wide-right">
        <Card className="p-2 map-card">
          {outline.data ? (
            <BirdsEye outline={outline.data} vehicles={latest} selected={vehicle} />
          ) : (
            <EmptyState>Loading map…</EmptyState>
          )}
        </Card>
        <LiveCharts series={series} markers={markers} />
      </div>
    </section>
  );
}
