'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useRef, useState, type MouseEvent } from 'react';
import { builtinMapIds, type LanePlace, type Scenario } from '~/server/contracts/scenario';
import { errorMessage } from '~/components/trpc/error-message';
import { useTRPC } from '~/components/trpc/react';
import { Alert, Button, Field, Input, Select } from '~/components/ui';

type Path = (string | number)[];

const MAP_LABELS: Record<string, string> = {
  urban_grid: 'Urban grid (signalised intersections)',
  highway_ring: 'Highway ring (on/off ramps)',
  rural_hills: 'Rural hills (curves and grades)',
};

type Mode = 'ego' | 'traffic' | 'destination';
const MODE_LABELS: Record<Mode, string> = {
  ego: 'the ego start',
  traffic: 'a traffic vehicle',
  destination: "the ego's route destination",
};

interface DrawnLane {
  id: string;
  junction: boolean;
  length: number;
  width: number;
  points: [number, number][];
}

/** Arc length along a drawn lane of the point nearest (x, y), scaled to the lane's true length. */
function sAlong(lane: DrawnLane, x: number, y: number): number {
  let best = Infinity;
  let bestS = 0;
  let cum = 0;
  for (let i = 0; i + 1 < lane.points.length; i++) {
    const [ax, ay] = lane.points[i]!;
    const [bx, by] = lane.points[i + 1]!;
    const dx = bx - ax;
    const dy = by - ay;
    const len = Math.hypot(dx, dy);
    const u = len > 0 ? Math.min(1, Math.max(0, ((x - ax) * dx + (y - ay) * dy) / (len * len))) : 0;
    const d = Math.hypot(ax + u * dx - x, ay + u * dy - y);
    if (d < best) {
      best = d;
      bestS = cum + u * len;
    }
    cum += len;
  }
  return cum > 0 ? Math.round((bestS / cum) * lane.length * 10) / 10 : 0;
}

/** The point at arc length s of a drawn lane. */
function pointAt(lane: DrawnLane, s: number): [number, number] {
  const pts = lane.points;
  let total = 0;
  for (let i = 0; i + 1 < pts.length; i++)
    total += Math.hypot(pts[i + 1]![0] - pts[i]![0], pts[i + 1]![1] - pts[i]![1]);
  let left = lane.length > 0 ? (s / lane.length) * total : 0;
  for (let i = 0; i + 1 < pts.length; i++) {
    const [ax, ay] = pts[i]!;
    const [bx, by] = pts[i + 1]!;
    const len = Math.hypot(bx - ax, by - ay);
    if (left <= len && len > 0) return [ax + ((bx - ax) * left) / len, ay + ((by - ay) * left) / len];
    left -= len;
  }
  return pts[pts.length - 1] ?? [0, 0];
}

/**
 * The studio's map: pick a built-in or uploaded OpenDRIVE map (or upload one here), then click
 * lanes on the drawn network to place the ego, traffic vehicles and the ego's route destination.
 * Positions are stored as lane positions (lane id, metres along it); the server checks them
 * against the map when the scenario is saved.
 */
export function MapPlacement({
  org,
  spec,
  canEdit,
  set,
  errAt,
}: {
  org: string;
  spec: Scenario;
  canEdit: boolean;
  set: (path: Path, value: unknown) => void;
  errAt: (path: Path, label: string) => string | undefined;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const maps = useQuery(trpc.maps.list.queryOptions({ org }));
  const upload = useMutation(trpc.maps.upload.mutationOptions());
  const [mode, setMode] = useState<Mode>('ego');
  const [uploadName, setUploadName] = useState('');
  const [uploadError, setUploadError] = useState<string | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const rn = spec.roadNetwork;
  const lanes = useQuery(
    trpc.maps.lanes.queryOptions({
      org,
      map: spec.map,
      ...(rn ? { roadNetwork: { mapId: rn.mapId, version: rn.version } } : {}),
    }),
  );
  const byId = useMemo(() => new Map((lanes.data?.lanes ?? []).map((l) => [l.id, l])), [lanes.data]);
  const laneOptions = useMemo(
    () => [...(lanes.data?.lanes ?? [])].sort((a, b) => Number(a.junction) - Number(b.junction)),
    [lanes.data],
  );

  const clearPlaces = () => {
    set(['ego', 'spawn'], undefined);
    set(['ego', 'route', 'to'], undefined);
    set(['traffic', 'placed'], []);
  };
  const chooseMap = (value: string) => {
    clearPlaces();
    const org = maps.data?.find((m) => `org:${m.id}` === value);
    if (org) {
      set(['roadNetwork'], { mapId: org.id, version: org.latestVersion, name: org.name });
    } else {
      set(['roadNetwork'], undefined);
      set(['map'], value);
    }
  };
  const place = (laneId: string, s: number) => {
    const p: LanePlace = { laneId, s };
    if (mode === 'ego') set(['ego', 'spawn'], p);
    else if (mode === 'destination') set(['ego', 'route', 'to'], p);
    else set(['traffic', 'placed'], [...spec.traffic.placed, p]);
  };
  const onLaneClick = (lane: DrawnLane, e: MouseEvent<SVGPathElement>) => {
    const svg = svgRef.current;
    const ctm = svg?.getScreenCTM();
    if (!svg || !ctm || !canEdit) return;
    const pt = new DOMPoint(e.clientX, e.clientY).matrixTransform(ctm.inverse());
    // The drawing flips y (OpenDRIVE's y points up).
    place(lane.id, sAlong(lane, pt.x, -pt.y));
  };
  const doUpload = async () => {
    setUploadError(null);
    const file = fileRef.current?.files?.[0];
    if (!file) {
      setUploadError('Choose an .xodr file first.');
      return;
    }
    const name = uploadName.trim() || file.name.replace(/\.xodr$/i, '');
    try {
      const r = await upload.mutateAsync({ org, name, xodr: await file.text() });
      await queryClient.invalidateQueries({ queryKey: trpc.maps.list.queryKey({ org }) });
      clearPlaces();
      set(['roadNetwork'], { mapId: r.id, version: r.version, name: r.name });
      setUploadName('');
    } catch (e) {
      setUploadError(errorMessage(e));
    }
  };

  const b = lanes.data?.bounds;
  const pad = 10;
  const view = b ? [b[0]! - pad, -b[3]! - pad, b[2]! - b[0]! + 2 * pad, b[3]! - b[1]! + 2 * pad] : [0, 0, 100, 100];
  const marker = (p: LanePlace | undefined) => {
    const lane = p && byId.get(p.laneId);
    return lane ? pointAt(lane, p.s) : null;
  };
  const ego = marker(spec.ego.spawn?.laneId ? { laneId: spec.ego.spawn.laneId, s: spec.ego.spawn.s } : undefined);
  const dest = marker(spec.ego.route.to);
  const r = Math.max(2, view[2]! / 150);

  return (
    <>
      <Field label="Map" error={errAt(['roadNetwork'], 'Map')}>
        <Select
          disabled={!canEdit}
          value={rn ? `org:${rn.mapId}` : spec.map}
          onChange={(e) => chooseMap(e.target.value)}
        >
          <optgroup label="Built-in maps">
            {builtinMapIds.map((m) => (
              <option key={m} value={m}>
                {MAP_LABELS[m]}
              </option>
            ))}
          </optgroup>
          {maps.data && maps.data.length > 0 && (
            <optgroup label="Organisation maps (OpenDRIVE)">
              {maps.data.map((m) => (
                <option key={m.id} value={`org:${m.id}`}>
                  {m.name} (version {m.latestVersion})
                </option>
              ))}
            </optgroup>
          )}
        </Select>
      </Field>
      {canEdit && (
        <details className="mb-3">
          <summary>Upload an OpenDRIVE map (.xodr)</summary>
          <div className="form-row">
            <Field label="Map name" hint="blank: the file name">
              <Input value={uploadName} onChange={(e) => setUploadName(e.target.value)} />
            </Field>
            <Field label="OpenDRIVE file">
              <input ref={fileRef} type="file" accept=".xodr" className="input" />
            </Field>
            <Button className="mb-3" disabled={upload.isPending} onClick={() => void doUpload()}>
              {upload.isPending ? 'Uploading…' : 'Upload map'}
            </Button>
          </div>
          {uploadError && <Alert tone="error">{uploadError}</Alert>}
        </details>
      )}
      {canEdit && (
        <Field label="Clicking a lane places">
          <Select value={mode} onChange={(e) => setMode(e.target.value as Mode)}>
            {(Object.keys(MODE_LABELS) as Mode[]).map((m) => (
              <option key={m} value={m}>
                {MODE_LABELS[m]}
              </option>
            ))}
          </Select>
        </Field>
      )}
      <svg
        ref={svgRef}
        className="canvas map-place"
        viewBox={view.join(' ')}
        role="img"
        aria-label={`Lanes of ${rn?.name ?? spec.map}: click one to place ${MODE_LABELS[mode]}`}
        data-testid="place-map"
      >
        {laneOptions.map((l) => (
          <path
            key={l.id}
            d={`M${l.points.map(([x, y]) => `${x},${-y}`).join('L')}`}
            className={l.junction ? 'map-centre map-centre-junction map-place-lane' : 'map-centre map-place-lane'}
            strokeWidth={Math.max(2, l.width)}
            data-testid="place-lane"
            data-lane={l.id}
            onClick={(e) => onLaneClick(l, e)}
          >
            <title>{`lane ${l.id} (${l.length} m)`}</title>
          </path>
        ))}
        {spec.traffic.placed.map((p, i) => {
          const m = marker(p);
          return m ? <circle key={i} cx={m[0]} cy={-m[1]} r={r} className="map-vehicle" /> : null;
        })}
        {dest && (
          <rect x={dest[0] - r} y={-dest[1] - r} width={2 * r} height={2 * r} className="map-vehicle-selected" />
        )}
        {ego && (
          <circle
            cx={ego[0]}
            cy={-ego[1]}
            r={r * 1.3}
            className="map-vehicle map-vehicle-ego"
            data-testid="place-ego"
          />
        )}
      </svg>
      <div className="grid-2 mt-3">
        <Field label="Ego start lane" error={errAt(['ego', 'spawn', 'laneId'], 'Ego start lane')}>
          <Select
            disabled={!canEdit}
            value={spec.ego.spawn?.laneId ?? ''}
            onChange={(e) =>
              set(['ego', 'spawn'], e.target.value ? { laneId: e.target.value, s: spec.ego.spawn?.s ?? 5 } : undefined)
            }
          >
            <option value="">The map&apos;s default start</option>
            {laneOptions.map((l) => (
              <option key={l.id} value={l.id}>
                {l.id} ({l.length} m{l.junction ? ', junction' : ''})
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Ego start s (m)" error={errAt(['ego', 'spawn', 's'], 'Ego start s (m)')}>
          <Input
            type="number"
            min={0}
            step="any"
            disabled={!canEdit || !spec.ego.spawn?.laneId}
            value={spec.ego.spawn?.s ?? 0}
            onChange={(e) => set(['ego', 'spawn', 's'], e.target.valueAsNumber)}
          />
        </Field>
        <Field label="Route destination" error={errAt(['ego', 'route', 'to', 'laneId'], 'Route destination')}>
          <Select
            disabled={!canEdit}
            value={spec.ego.route.to?.laneId ?? ''}
            onChange={(e) => set(['ego', 'route', 'to'], e.target.value ? { laneId: e.target.value, s: 0 } : undefined)}
          >
            <option value="">None: follow the junction turns</option>
            {laneOptions.map((l) => (
              <option key={l.id} value={l.id}>
                {l.id}
              </option>
            ))}
          </Select>
        </Field>
        <div>
          <p className="muted text-sm">
            {spec.traffic.placed.length} of {spec.traffic.vehicles} traffic vehicles placed by hand; the rest are placed
            by the seed.
          </p>
          {errAt(['traffic', 'placed'], 'Placed traffic') && (
            <p className="field-error">{errAt(['traffic', 'placed'], 'Placed traffic')}</p>
          )}
        </div>
      </div>
      {spec.traffic.placed.map((p, i) => (
        <div key={i} className="toolbar">
          <span className="text-sm">
            npc-{i}: lane {p.laneId}, {p.s} m
          </span>
          {(errAt(['traffic', 'placed', i, 'laneId'], 'Lane') ?? errAt(['traffic', 'placed', i, 's'], 's')) && (
            <span className="field-error">
              {errAt(['traffic', 'placed', i, 'laneId'], 'Lane') ?? errAt(['traffic', 'placed', i, 's'], 's')}
            </span>
          )}
          {canEdit && (
            <Button
              size="sm"
              variant="danger"
              onClick={() =>
                set(
                  ['traffic', 'placed'],
                  spec.traffic.placed.filter((_, j) => j !== i),
                )
              }
            >
              Remove
            </Button>
          )}
        </div>
      ))}
    </>
  );
}
