import { z } from 'zod';
import { child, childrenNamed, parseXml, type XmlElement } from '~/server/xml/parse';
import type {
  ContactPoint,
  Cubic,
  GeometryKind,
  JunctionConnection,
  LaneSection,
  OdrController,
  OdrHeader,
  OdrJunction,
  OdrLane,
  OdrNetwork,
  OdrRoad,
  OdrSignal,
  PlanGeometry,
  RoadLink,
} from './model';

/**
 * Reads an ASAM OpenDRIVE 1.4–1.8 file. Untrusted input gets what `.xosc` imports get: a size
 * limit, no DTD, a bounded depth and element count. What the reader does not model (objects,
 * surfaces, user data, …) is never an error: it is summarised in `report`, one line per kind of
 * element, so a user sees what was left out. Values the reader does model but cannot use (a
 * non-numeric width, a geometry without a shape) are reported with their line and skipped.
 */

export const ODR_LIMITS = {
  /** CARLA's largest towns are ~15 MiB of OpenDRIVE. */
  maxBytes: 32 * 1024 * 1024,
  maxDepth: 24,
  maxElements: 2_000_000,
  /**
   * The largest magnitude a number in the file may have. Real maps use projected coordinates
   * (UTM: ~1e7 m); 1e9 m leaves room for any of them while keeping sums, squares and the preview
   * far from float64 overflow (`length="1e308"` used to give an `Infinity` preview and stats).
   */
  maxAbsNumber: 1e9,
} as const;

export class OpenDriveError extends Error {
  override name = 'OpenDriveError';
  constructor(
    message: string,
    /** Machine-readable kind, for the error's issue (`invalid_opendrive` unless more precise). */
    readonly code = 'invalid_opendrive',
  ) {
    super(message);
  }
}

export interface ReadOpenDriveResult {
  network: OdrNetwork;
  /** Values the reader had to skip or default (line and reason); empty for a clean file. */
  issues: string[];
  /** Everything left out: `issues`, then "path (×n, first at line L): what it is" per element kind. */
  report: string[];
}

const MPH = 0.44704;
const KMH = 1 / 3.6;

/** Speed units OpenDRIVE allows for `max`, to m/s. */
function speedToMs(value: number, unit: string | undefined): number {
  if (unit === 'mph') return value * MPH;
  if (unit === 'km/h') return value * KMH;
  return value;
}

const headerAttrs = z.object({
  revMajor: z.coerce.number().int().default(1),
  revMinor: z.coerce.number().int().default(4),
  name: z.string().default(''),
  version: z.string().default(''),
  date: z.string().default(''),
  vendor: z.string().default(''),
  north: z.coerce.number().optional(),
  south: z.coerce.number().optional(),
  east: z.coerce.number().optional(),
  west: z.coerce.number().optional(),
});

class Ledger {
  private readonly handled = new Set<XmlElement>();
  readonly problems: string[] = [];
  handle(...els: (XmlElement | undefined)[]): void {
    for (const e of els) if (e) this.handled.add(e);
  }
  problem(e: XmlElement, msg: string): void {
    if (this.problems.length < 200) this.problems.push(`<${e.name}> at line ${e.line}: ${msg}`);
  }
  /** Unhandled elements grouped by their path of names, with a count and the first line. */
  sweep(root: XmlElement): string[] {
    const groups = new Map<string, { count: number; line: number }>();
    const stack: { e: XmlElement; path: string }[] = [{ e: root, path: root.name }];
    while (stack.length) {
      const { e, path } = stack.pop()!;
      for (const c of e.children) {
        const p = `${path}/${c.name}`;
        if (this.handled.has(c)) stack.push({ e: c, path: p });
        else {
          const g = groups.get(p);
          if (g) {
            g.count++;
            g.line = Math.min(g.line, c.line);
          } else groups.set(p, { count: 1, line: c.line });
        }
      }
    }
    return [...groups.entries()]
      .sort((a, b) => a[1].line - b[1].line)
      .map(([p, g]) => `${p} (×${g.count}, first at line ${g.line}): ${describe(p)}`);
  }
}

function describe(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const known: Record<string, string> = {
    userData: 'vendor data, not used',
    objects: 'road objects (poles, buildings, crosswalk outlines) are not modelled',
    surface: 'road surface (CRG) is not modelled',
    railroad: 'railroads are not modelled',
    neighbor: 'OpenDRIVE 1.4 road neighbours are not used (lane links are)',
    shape: 'lateral shape is not modelled',
    crossfall: 'crossfall is not modelled',
    material: 'lane materials are not modelled',
    visibility: 'lane visibility is not modelled',
    access: 'lane access restrictions are not modelled',
    height: 'lane height (kerbs) is not modelled',
    rule: 'lane rules are not modelled',
    junctionGroup: 'junction groups are not modelled',
    station: 'stations are not modelled',
    priority: 'junction priorities are not modelled (signals are)',
    dependency: 'signal dependencies are not modelled',
    positionInertial: 'inertial signal positions are not modelled (s/t are)',
    positionRoad: 'signal road positions are not modelled (s/t are)',
    bridge: 'bridges are not modelled',
    tunnel: 'tunnels are not modelled',
    sign: 'road mark sign details are not modelled',
    type: 'detailed road mark line types are not modelled',
    explicit: 'explicit road marks are not modelled',
    include: 'included files are not loaded',
    dataQuality: 'data quality records are not used',
  };
  return known[name] ?? 'not modelled';
}

function checkLimits(text: string): void {
  if (text.length > ODR_LIMITS.maxBytes)
    throw new OpenDriveError(`the file is larger than ${ODR_LIMITS.maxBytes / 1024 / 1024} MiB`);
  if (/<!DOCTYPE/i.test(text.slice(0, 4096)) || /<!ENTITY/i.test(text))
    throw new OpenDriveError('DTDs and entity declarations are not accepted in OpenDRIVE files');
  // Depth and element count, before the tree is built: a cheap scan of tags.
  let depth = 0;
  let elements = 0;
  const tag = /<(\/?)[A-Za-z_][^>]*?(\/?)>|<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>/g;
  for (let m = tag.exec(text); m; m = tag.exec(text)) {
    if (m[0].startsWith('<!') || m[0].startsWith('<?')) continue;
    if (m[1]) depth--;
    else {
      elements++;
      if (!m[2]) depth++;
      if (depth > ODR_LIMITS.maxDepth)
        throw new OpenDriveError(`elements are nested deeper than ${ODR_LIMITS.maxDepth} levels`);
      if (elements > ODR_LIMITS.maxElements)
        throw new OpenDriveError(`the file has more than ${ODR_LIMITS.maxElements} elements`);
    }
  }
}

export function readOpenDrive(text: string): ReadOpenDriveResult {
  checkLimits(text);
  const root = parseXml(text);
  if (root.name !== 'OpenDRIVE') throw new OpenDriveError(`not an OpenDRIVE file: the root element is <${root.name}>`);
  const L = new Ledger();
  L.handle(root);

  // A value that parses to ±Infinity or beyond maxAbsNumber is refused, not defaulted: it is a
  // broken or hostile file, and any default would silently move the road.
  const inRange = (e: XmlElement, attr: string, n: number): number => {
    if (!Number.isFinite(n) || Math.abs(n) > ODR_LIMITS.maxAbsNumber)
      throw new OpenDriveError(
        `<${e.name}> at line ${e.line}: ${attr}="${String(e.attrs[attr]).slice(0, 40)}" is out of range (at most ±${ODR_LIMITS.maxAbsNumber})`,
        'number_out_of_range',
      );
    return n;
  };

  const num = (e: XmlElement, attr: string, fallback?: number): number => {
    const raw = e.attrs[attr];
    if (raw === undefined || raw.trim() === '') {
      if (fallback === undefined) L.problem(e, `missing ${attr}, 0 used`);
      return fallback ?? 0;
    }
    const n = Number(raw);
    if (Number.isNaN(n)) {
      L.problem(e, `${attr}="${raw}" is not a number, ${fallback ?? 0} used`);
      return fallback ?? 0;
    }
    return inRange(e, attr, n);
  };
  /** An optional number (a speed, a mark width, a signal value): absent or non-numeric is undefined. */
  const optNum = (e: XmlElement | undefined, attr: string): number | undefined => {
    const raw = e?.attrs[attr];
    if (raw === undefined || raw.trim() === '') return undefined;
    const n = Number(raw);
    return Number.isNaN(n) ? undefined : inRange(e!, attr, n);
  };
  const cubic = (e: XmlElement, sAttr = 's'): Cubic => {
    L.handle(e);
    return { s: num(e, sAttr, 0), a: num(e, 'a', 0), b: num(e, 'b', 0), c: num(e, 'c', 0), d: num(e, 'd', 0) };
  };
  const sorted = <T extends { s: number }>(xs: T[]): T[] => xs.sort((p, q) => p.s - q.s);
  const contact = (v: string | undefined): ContactPoint | undefined => (v === 'start' || v === 'end' ? v : undefined);

  // ---- header
  const h = child(root, 'header');
  L.handle(h);
  const hp = headerAttrs.safeParse(h?.attrs ?? {});
  if (!hp.success && h)
    L.problem(h, `header attributes ignored: ${hp.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  const header: OdrHeader = hp.success ? { ...hp.data } : headerAttrs.parse({});
  if (h) for (const side of ['north', 'south', 'east', 'west'] as const) optNum(h, side);
  const geo = child(h, 'geoReference');
  if (geo) {
    L.handle(geo);
    header.geoReference = geo.text.trim();
  }
  const off = child(h, 'offset');
  if (off) {
    L.handle(off);
    header.offset = { x: num(off, 'x', 0), y: num(off, 'y', 0), z: num(off, 'z', 0), hdg: num(off, 'hdg', 0) };
  }

  const link = (e: XmlElement | undefined): RoadLink | undefined => {
    if (!e) return undefined;
    L.handle(e);
    const type = e.attrs.elementType;
    const id = e.attrs.elementId;
    if ((type !== 'road' && type !== 'junction') || id === undefined) {
      L.problem(e, 'link without elementType road/junction and elementId ignored');
      return undefined;
    }
    return { elementType: type, elementId: id, contactPoint: contact(e.attrs.contactPoint) };
  };

  // ---- roads
  const roads: OdrRoad[] = [];
  const roadById = new Map<string, OdrRoad>();
  for (const r of childrenNamed(root, 'road')) {
    L.handle(r);
    const id = r.attrs.id;
    if (id === undefined) {
      L.problem(r, 'road without id skipped');
      continue;
    }
    if (roadById.has(id)) {
      L.problem(r, `duplicate road id ${id} skipped`);
      continue;
    }
    const length = num(r, 'length');
    const rl = child(r, 'link');
    L.handle(rl);
    const jn = r.attrs.junction;
    const road: OdrRoad = {
      id,
      name: r.attrs.name ?? '',
      length,
      junction: jn !== undefined && jn !== '-1' && jn !== '' ? jn : undefined,
      rule: r.attrs.rule === 'LHT' ? 'LHT' : 'RHT',
      predecessor: link(child(rl, 'predecessor')),
      successor: link(child(rl, 'successor')),
      types: [],
      geometries: [],
      elevation: [],
      superelevation: [],
      laneOffset: [],
      sections: [],
      signals: [],
    };
    for (const t of childrenNamed(r, 'type')) {
      L.handle(t);
      const sp = child(t, 'speed');
      L.handle(sp);
      const max = optNum(sp, 'max');
      const speedMax = max !== undefined ? speedToMs(max, sp!.attrs.unit) : undefined;
      road.types.push({ s: num(t, 's', 0), type: t.attrs.type ?? 'unknown', speedMax });
    }
    sorted(road.types);

    const pv = child(r, 'planView');
    L.handle(pv);
    for (const g of childrenNamed(pv, 'geometry')) {
      L.handle(g);
      const shape = g.children.find((c) => ['line', 'arc', 'spiral', 'poly3', 'paramPoly3'].includes(c.name));
      if (!shape) {
        L.problem(g, 'geometry without line/arc/spiral/poly3/paramPoly3 skipped');
        continue;
      }
      L.handle(shape);
      const geom: PlanGeometry = {
        s: num(g, 's', 0),
        x: num(g, 'x', 0),
        y: num(g, 'y', 0),
        hdg: num(g, 'hdg', 0),
        length: Math.max(0, num(g, 'length')),
        kind: shape.name as GeometryKind,
      };
      if (geom.kind === 'arc') geom.curvature = num(shape, 'curvature');
      else if (geom.kind === 'spiral') {
        geom.curvStart = num(shape, 'curvStart');
        geom.curvEnd = num(shape, 'curvEnd');
      } else if (geom.kind === 'poly3')
        geom.poly3 = { a: num(shape, 'a', 0), b: num(shape, 'b', 0), c: num(shape, 'c', 0), d: num(shape, 'd', 0) };
      else if (geom.kind === 'paramPoly3') {
        const pr = shape.attrs.pRange;
        if (pr !== undefined && pr !== 'arcLength' && pr !== 'normalized')
          L.problem(shape, `pRange="${pr}" unknown, normalized used`);
        geom.paramPoly3 = {
          aU: num(shape, 'aU', 0),
          bU: num(shape, 'bU', 0),
          cU: num(shape, 'cU', 0),
          dU: num(shape, 'dU', 0),
          aV: num(shape, 'aV', 0),
          bV: num(shape, 'bV', 0),
          cV: num(shape, 'cV', 0),
          dV: num(shape, 'dV', 0),
          pRange: pr === 'arcLength' ? 'arcLength' : 'normalized',
        };
      }
      road.geometries.push(geom);
    }
    sorted(road.geometries);
    if (road.geometries.length === 0) L.problem(r, `road ${id} has no usable geometry`);

    const ep = child(r, 'elevationProfile');
    L.handle(ep);
    road.elevation = sorted(childrenNamed(ep, 'elevation').map((e) => cubic(e)));
    const lp = child(r, 'lateralProfile');
    L.handle(lp);
    road.superelevation = sorted(childrenNamed(lp, 'superelevation').map((e) => cubic(e)));

    const lanes = child(r, 'lanes');
    L.handle(lanes);
    road.laneOffset = sorted(childrenNamed(lanes, 'laneOffset').map((e) => cubic(e)));
    const secEls = childrenNamed(lanes, 'laneSection');
    const sections: LaneSection[] = secEls.map((sec) => {
      L.handle(sec);
      const side = (name: 'left' | 'center' | 'right'): OdrLane[] => {
        const sideEl = child(sec, name);
        L.handle(sideEl);
        return childrenNamed(sideEl, 'lane').map((ln) => readLane(ln));
      };
      const readLane = (ln: XmlElement): OdrLane => {
        L.handle(ln);
        const ll = child(ln, 'link');
        L.handle(ll);
        const p = child(ll, 'predecessor');
        const sc = child(ll, 'successor');
        L.handle(p, sc);
        const lane: OdrLane = {
          id: Math.trunc(num(ln, 'id')),
          type: ln.attrs.type ?? 'none',
          level: ln.attrs.level === 'true' || ln.attrs.level === '1',
          widths: sorted(childrenNamed(ln, 'width').map((w) => cubic(w, 'sOffset'))),
          borders: sorted(childrenNamed(ln, 'border').map((w) => cubic(w, 'sOffset'))),
          roadMarks: childrenNamed(ln, 'roadMark').map((m) => {
            L.handle(m);
            return {
              sOffset: num(m, 'sOffset', 0),
              type: m.attrs.type ?? 'none',
              color: m.attrs.color ?? 'standard',
              weight: m.attrs.weight,
              width: optNum(m, 'width'),
              laneChange: m.attrs.laneChange,
            };
          }),
          speeds: childrenNamed(ln, 'speed').map((sp) => {
            L.handle(sp);
            return { sOffset: num(sp, 'sOffset', 0), max: speedToMs(num(sp, 'max'), sp.attrs.unit) };
          }),
          predecessor: optNum(p, 'id'),
          successor: optNum(sc, 'id'),
        };
        lane.speeds.sort((a, b) => a.sOffset - b.sOffset);
        lane.roadMarks.sort((a, b) => a.sOffset - b.sOffset);
        return lane;
      };
      const left = side('left').sort((a, b) => a.id - b.id);
      const right = side('right').sort((a, b) => b.id - a.id);
      const center = side('center')[0];
      for (const ln of left) if (ln.id <= 0) L.problem(sec, `left lane with id ${ln.id}`);
      for (const ln of right) if (ln.id >= 0) L.problem(sec, `right lane with id ${ln.id}`);
      return {
        s: num(sec, 's', 0),
        sEnd: length,
        singleSide: sec.attrs.singleSide === 'true',
        left: left.filter((l) => l.id > 0),
        center,
        right: right.filter((l) => l.id < 0),
      };
    });
    sorted(sections);
    for (let i = 0; i < sections.length - 1; i++) sections[i]!.sEnd = sections[i + 1]!.s;
    road.sections = sections;
    if (sections.length === 0) L.problem(r, `road ${id} has no lane section`);

    const sigs = child(r, 'signals');
    L.handle(sigs);
    for (const sg of [...childrenNamed(sigs, 'signal'), ...childrenNamed(sigs, 'signalReference')]) {
      L.handle(sg);
      const reference = sg.name === 'signalReference';
      const sid = sg.attrs.id;
      if (sid === undefined) {
        L.problem(sg, 'signal without id skipped');
        continue;
      }
      const validLanes = childrenNamed(sg, 'validity').map((v) => {
        L.handle(v);
        return { fromLane: num(v, 'fromLane', 0), toLane: num(v, 'toLane', 0) };
      });
      const signal: OdrSignal = {
        id: sid,
        name: sg.attrs.name,
        s: num(sg, 's', 0),
        t: num(sg, 't', 0),
        zOffset: num(sg, 'zOffset', 0),
        dynamic: sg.attrs.dynamic === 'yes',
        orientation: sg.attrs.orientation ?? 'none',
        type: sg.attrs.type ?? '',
        subtype: sg.attrs.subtype ?? '',
        country: sg.attrs.country,
        value: optNum(sg, 'value'),
        unit: sg.attrs.unit,
        validLanes,
        reference,
      };
      road.signals.push(signal);
    }
    roads.push(road);
    roadById.set(id, road);
  }

  // ---- controllers
  const controllers: OdrController[] = childrenNamed(root, 'controller').map((c) => {
    L.handle(c);
    return {
      id: c.attrs.id ?? '',
      name: c.attrs.name,
      sequence: c.attrs.sequence !== undefined ? num(c, 'sequence') : undefined,
      controls: childrenNamed(c, 'control').map((ct) => {
        L.handle(ct);
        return { signalId: ct.attrs.signalId ?? '', type: ct.attrs.type };
      }),
    };
  });

  // ---- junctions
  const junctions: OdrJunction[] = [];
  const junctionById = new Map<string, OdrJunction>();
  for (const j of childrenNamed(root, 'junction')) {
    L.handle(j);
    const id = j.attrs.id;
    if (id === undefined || junctionById.has(id)) {
      L.problem(j, id === undefined ? 'junction without id skipped' : `duplicate junction id ${id} skipped`);
      continue;
    }
    const connections: JunctionConnection[] = [];
    for (const c of childrenNamed(j, 'connection')) {
      L.handle(c);
      const incomingRoad = c.attrs.incomingRoad;
      const connectingRoad = c.attrs.connectingRoad ?? c.attrs.linkedRoad;
      if (incomingRoad === undefined || connectingRoad === undefined) {
        L.problem(c, 'connection without incomingRoad/connectingRoad skipped');
        continue;
      }
      connections.push({
        id: c.attrs.id ?? String(connections.length),
        incomingRoad,
        connectingRoad,
        contactPoint: contact(c.attrs.contactPoint) ?? 'start',
        laneLinks: childrenNamed(c, 'laneLink').map((ll) => {
          L.handle(ll);
          return { from: Math.trunc(num(ll, 'from')), to: Math.trunc(num(ll, 'to')) };
        }),
      });
    }
    const junction: OdrJunction = {
      id,
      name: j.attrs.name ?? '',
      type: j.attrs.type ?? 'default',
      connections,
      controllers: childrenNamed(j, 'controller').map((c) => {
        L.handle(c);
        return {
          id: c.attrs.id ?? '',
          type: c.attrs.type,
          sequence: c.attrs.sequence !== undefined ? num(c, 'sequence') : undefined,
        };
      }),
    };
    junctions.push(junction);
    junctionById.set(id, junction);
  }

  // ---- cross references, reported rather than trusted
  for (const r of roads) {
    for (const [end, lk] of [
      ['predecessor', r.predecessor],
      ['successor', r.successor],
    ] as const) {
      if (!lk) continue;
      const ok = lk.elementType === 'road' ? roadById.has(lk.elementId) : junctionById.has(lk.elementId);
      if (!ok) {
        L.problems.push(`road ${r.id}: ${end} ${lk.elementType} ${lk.elementId} does not exist, link ignored`);
        r[end] = undefined;
      }
    }
    if (r.junction !== undefined && !junctionById.has(r.junction))
      L.problems.push(`road ${r.id}: junction ${r.junction} does not exist`);
  }
  for (const j of junctions)
    j.connections = j.connections.filter((c) => {
      const ok = roadById.has(c.incomingRoad) && roadById.has(c.connectingRoad);
      if (!ok) L.problems.push(`junction ${j.id}: connection ${c.id} names a missing road, ignored`);
      return ok;
    });

  const issues = [...L.problems];
  const report = [...issues, ...L.sweep(root)];
  return { network: { header, roads, roadById, junctions, junctionById, controllers }, issues, report };
}
