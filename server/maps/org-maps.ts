import { createHash } from 'node:crypto';
import type { PrismaClient } from '@prisma/client';
import { z } from 'zod';
import { normaliseTownName } from '~/server/maps/carla-towns';
import { LaneIndex, laneAtT, lanePose, readOpenDrive, roadPose, type OdrNetwork } from './opendrive';
import { networkPreviewSvg } from './opendrive/preview';
import { roadMapFromOpenDrive, simLanePosition } from './from-opendrive';
import { networkOutline, type MapOutline } from './outline';
import type { RoadMap } from './road-network';

/**
 * Organisation maps: uploaded OpenDRIVE files (a CARLA town, an esmini or VTD map), kept by name
 * and versioned, each version with the reader's report, counts and a drawn preview. Reading
 * happens once, at upload: a file the reader refuses is never stored.
 */

/** CARLA's largest towns are ~15 MiB of OpenDRIVE; tRPC carries the text in one JSON body. */
export const MAX_XODR_BYTES = 16 * 1024 * 1024;

/** The name scenarios refer to, e.g. "Town01" (what an .xosc LogicFile names). */
export const mapNameSchema = z
  .string()
  .trim()
  .min(1, 'The map needs a name')
  .max(100, 'Map names are at most 100 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.()-]*$/, 'Map names use letters, digits, spaces and _ . ( ) -');

export const xodrTextSchema = z
  .string()
  .min(1, 'The file is empty')
  .max(MAX_XODR_BYTES, `The file is larger than ${MAX_XODR_BYTES / 1024 / 1024} MiB`);

export interface MapStats {
  roads: number;
  junctions: number;
  lanes: number;
  drivableLengthM: number;
  signals: number;
  revision: string;
}

export interface AnalysedMap {
  sha256: string;
  report: string[];
  stats: MapStats;
  previewSvg: string;
}

/** Reads a file as an upload does; throws OpenDriveError / XmlParseError for files it refuses. */
export function analyseXodr(xodr: string): AnalysedMap {
  const { network, report } = readOpenDrive(xodr);
  let lanes = 0;
  let drivable = 0;
  for (const r of network.roads)
    for (const s of r.sections)
      for (const l of [...s.left, ...s.right]) {
        lanes++;
        if (l.type === 'driving') drivable += s.sEnd - s.s;
      }
  return {
    sha256: createHash('sha256').update(xodr).digest('hex'),
    report,
    stats: {
      roads: network.roads.length,
      junctions: network.junctions.length,
      lanes,
      drivableLengthM: Math.round(drivable),
      signals: network.roads.reduce((a, r) => a + r.signals.filter((s) => !s.reference).length, 0),
      revision: `${network.header.revMajor}.${network.header.revMinor}`,
    },
    previewSvg: networkPreviewSvg(network),
  };
}

/** Stores a new version of the organisation's map of that name (version 1 when it is new). */
export async function saveOrgMap(
  db: PrismaClient,
  input: { orgId: string; name: string; xodr: string; createdById: string | null },
  analysed: AnalysedMap,
): Promise<{ id: string; name: string; version: number }> {
  return db.$transaction(async (tx) => {
    const existing = await tx.orgMap.findUnique({ where: { orgId_name: { orgId: input.orgId, name: input.name } } });
    const map = existing
      ? await tx.orgMap.update({ where: { id: existing.id }, data: { latestVersion: { increment: 1 } } })
      : await tx.orgMap.create({ data: { orgId: input.orgId, name: input.name } });
    await tx.orgMapVersion.create({
      data: {
        orgId: input.orgId,
        mapId: map.id,
        version: map.latestVersion,
        xodr: input.xodr,
        sha256: analysed.sha256,
        report: analysed.report,
        stats: { ...analysed.stats },
        previewSvg: analysed.previewSvg,
        createdById: input.createdById,
      },
    });
    return { id: map.id, name: map.name, version: map.latestVersion };
  });
}

/**
 * The organisation's map an .xosc LogicFile means: "Town01", "maps/Town01.xodr" and
 * "/Game/Carla/Maps/Town01" all name the map "Town01" (case-insensitive).
 */
export async function findOrgMapForLogicFile(
  db: PrismaClient,
  orgId: string,
  logicFile: string,
): Promise<{ id: string; name: string; version: number } | null> {
  const name = normaliseTownName(logicFile);
  if (!name) return null;
  const map = await db.orgMap.findFirst({
    where: { orgId, name: { equals: name, mode: 'insensitive' } },
    select: { id: true, name: true, latestVersion: true },
  });
  return map ? { id: map.id, name: map.name, version: map.latestVersion } : null;
}

export type StartPosition =
  | { kind: 'world'; x: number; y: number }
  | { kind: 'lane'; roadId: string; laneId: number; s: number; offset: number }
  | { kind: 'road'; roadId: string; s: number; t: number };

export interface PlacedStart {
  roadId: string;
  laneId: number;
  s: number;
  offset: number;
  x: number;
  y: number;
  z: number;
  /** heading of the lane's direction of travel, OpenDRIVE frame */
  h: number;
}

/** Where a scenario start (world, lane or road position, OpenDRIVE frame) lies on a network. */
export function placeStart(network: OdrNetwork, start: StartPosition): PlacedStart | null {
  if (start.kind === 'world') {
    const q = new LaneIndex(network).project(start.x, start.y);
    if (!q) return null;
    const p = lanePose(q.road, q.laneId, q.s, q.offset)!;
    return { roadId: q.road.id, laneId: q.laneId, s: q.s, offset: q.offset, x: p.x, y: p.y, z: p.z, h: p.laneHeading };
  }
  const road = network.roadById.get(start.roadId);
  if (!road) return null;
  if (start.kind === 'lane') {
    const p = lanePose(road, start.laneId, start.s, start.offset);
    return p ? { ...start, x: p.x, y: p.y, z: p.z, h: p.laneHeading } : null;
  }
  const lane = laneAtT(road, start.s, start.t);
  if (!lane) return null;
  const p = roadPose(road, start.s, start.t, lane.laneId);
  return {
    roadId: road.id,
    laneId: lane.laneId,
    s: start.s,
    offset: start.t - lane.centerT,
    x: p.x,
    y: p.y,
    z: p.z,
    h: p.laneHeading,
  };
}

/** Networks read for the simulator, by version id (versions never change once stored). */
const simNetworks = new Map<string, RoadMap>();
const SIM_NETWORK_CACHE = 8;

/**
 * The simulator's road model of one version of an organisation's map; a map of another
 * organisation is not found, as in every other lookup.
 */
export async function loadOrgRoadMap(
  db: PrismaClient,
  orgId: string,
  ref: { mapId: string; version: number },
): Promise<RoadMap> {
  const v = await db.orgMapVersion.findUnique({
    where: { mapId_version: { mapId: ref.mapId, version: ref.version } },
    select: { id: true, orgId: true, xodr: true, map: { select: { name: true } } },
  });
  if (!v || v.orgId !== orgId) throw new Error(`map ${ref.mapId} version ${ref.version} not found`);
  const hit = simNetworks.get(v.id);
  if (hit) return hit;
  const map = roadMapFromOpenDrive(readOpenDrive(v.xodr).network, v.map.name).map;
  if (simNetworks.size >= SIM_NETWORK_CACHE) simNetworks.delete(simNetworks.keys().next().value!);
  simNetworks.set(v.id, map);
  return map;
}

const outlines = new Map<string, MapOutline>();

/** The drawn network (lanes and road marks) of one version of an organisation's map, or null. */
export async function orgMapOutline(
  db: PrismaClient,
  orgId: string,
  ref: { mapId: string; version: number },
): Promise<MapOutline | null> {
  const v = await db.orgMapVersion.findFirst({
    where: { orgId, mapId: ref.mapId, version: ref.version },
    select: { id: true, xodr: true, map: { select: { name: true } } },
  });
  if (!v) return null;
  const hit = outlines.get(v.id);
  if (hit) return hit;
  const outline = networkOutline(readOpenDrive(v.xodr).network, v.map.name);
  if (outlines.size >= SIM_NETWORK_CACHE) outlines.delete(outlines.keys().next().value!);
  outlines.set(v.id, outline);
  return outline;
}

/** A version's network as read from the stored file, for exports; null when not this org's. */
export async function loadOrgNetwork(
  db: PrismaClient,
  orgId: string,
  ref: { mapId: string; version: number },
): Promise<{ name: string; network: OdrNetwork } | null> {
  const v = await db.orgMapVersion.findFirst({
    where: { orgId, mapId: ref.mapId, version: ref.version },
    select: { xodr: true, map: { select: { name: true } } },
  });
  return v ? { name: v.map.name, network: readOpenDrive(v.xodr).network } : null;
}

/** The scenario's ego spawn for a start found on the map (sim lane and arc length). */
export function spawnForStart(network: OdrNetwork, start: PlacedStart): { laneId: string; s: number } | null {
  return simLanePosition(network, { roadId: start.roadId, laneId: start.laneId, s: start.s });
}
