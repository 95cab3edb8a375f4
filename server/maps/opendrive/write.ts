import { el, serializeXml, text, type XmlElementNode } from '~/server/xml/write';
import type { Cubic, OdrLane, OdrNetwork, OdrRoad, PlanGeometry, RoadLink } from './model';

/**
 * Writes a road network as ASAM OpenDRIVE 1.6, the inverse of ./read for everything the model
 * holds. Numbers keep full double precision (JavaScript's shortest round-trip form): polynomial
 * coefficients of 1e-9 matter, so the XML writer's 6-decimal rounding is not used here.
 */

const n = (x: number): string => {
  if (!Number.isFinite(x)) throw new Error(`cannot write non-finite number ${x} to OpenDRIVE`);
  return Object.is(x, -0) ? '0' : String(x);
};

const cubic = (name: string, c: Cubic, sAttr = 's') =>
  el(name, { [sAttr]: n(c.s), a: n(c.a), b: n(c.b), c: n(c.c), d: n(c.d) });

function geometry(g: PlanGeometry): XmlElementNode {
  let shape: XmlElementNode;
  switch (g.kind) {
    case 'line':
      shape = el('line');
      break;
    case 'arc':
      shape = el('arc', { curvature: n(g.curvature ?? 0) });
      break;
    case 'spiral':
      shape = el('spiral', { curvStart: n(g.curvStart ?? 0), curvEnd: n(g.curvEnd ?? 0) });
      break;
    case 'poly3': {
      const p = g.poly3!;
      shape = el('poly3', { a: n(p.a), b: n(p.b), c: n(p.c), d: n(p.d) });
      break;
    }
    case 'paramPoly3': {
      const p = g.paramPoly3!;
      shape = el('paramPoly3', {
        aU: n(p.aU),
        bU: n(p.bU),
        cU: n(p.cU),
        dU: n(p.dU),
        aV: n(p.aV),
        bV: n(p.bV),
        cV: n(p.cV),
        dV: n(p.dV),
        pRange: p.pRange,
      });
      break;
    }
  }
  return el('geometry', { s: n(g.s), x: n(g.x), y: n(g.y), hdg: n(g.hdg), length: n(g.length) }, [shape]);
}

const linkEl = (name: string, l: RoadLink | undefined) =>
  l && el(name, { elementType: l.elementType, elementId: l.elementId, contactPoint: l.contactPoint });

function lane(l: OdrLane): XmlElementNode {
  const link =
    l.predecessor !== undefined || l.successor !== undefined
      ? el('link', {}, [
          l.predecessor !== undefined && el('predecessor', { id: l.predecessor }),
          l.successor !== undefined && el('successor', { id: l.successor }),
        ])
      : undefined;
  return el('lane', { id: l.id, type: l.type, level: l.level ? 'true' : 'false' }, [
    link,
    ...l.widths.map((w) => cubic('width', w, 'sOffset')),
    ...l.borders.map((w) => cubic('border', w, 'sOffset')),
    ...l.roadMarks.map((m) =>
      el('roadMark', {
        sOffset: n(m.sOffset),
        type: m.type,
        weight: m.weight,
        color: m.color,
        width: m.width !== undefined ? n(m.width) : undefined,
        laneChange: m.laneChange,
      }),
    ),
    ...l.speeds.map((s) => el('speed', { sOffset: n(s.sOffset), max: n(s.max), unit: 'm/s' })),
  ]);
}

function road(r: OdrRoad): XmlElementNode {
  return el('road', { name: r.name, length: n(r.length), id: r.id, junction: r.junction ?? '-1', rule: r.rule }, [
    el('link', {}, [linkEl('predecessor', r.predecessor), linkEl('successor', r.successor)]),
    ...r.types.map((t) =>
      el('type', { s: n(t.s), type: t.type }, [
        t.speedMax !== undefined && el('speed', { max: n(t.speedMax), unit: 'm/s' }),
      ]),
    ),
    el('planView', {}, r.geometries.map(geometry)),
    el(
      'elevationProfile',
      {},
      r.elevation.map((c) => cubic('elevation', c)),
    ),
    el(
      'lateralProfile',
      {},
      r.superelevation.map((c) => cubic('superelevation', c)),
    ),
    el('lanes', {}, [
      ...r.laneOffset.map((c) => cubic('laneOffset', c)),
      ...r.sections.map((sec) =>
        el('laneSection', { s: n(sec.s), singleSide: sec.singleSide ? 'true' : undefined }, [
          sec.left.length > 0 && el('left', {}, [...sec.left].reverse().map(lane)),
          el('center', {}, sec.center ? [lane(sec.center)] : [el('lane', { id: 0, type: 'none', level: 'false' })]),
          sec.right.length > 0 && el('right', {}, sec.right.map(lane)),
        ]),
      ),
    ]),
    r.signals.length > 0 &&
      el(
        'signals',
        {},
        r.signals.map((s) =>
          s.reference
            ? el(
                'signalReference',
                { s: n(s.s), t: n(s.t), id: s.id, orientation: s.orientation },
                s.validLanes.map((v) => el('validity', { fromLane: v.fromLane, toLane: v.toLane })),
              )
            : el(
                'signal',
                {
                  s: n(s.s),
                  t: n(s.t),
                  id: s.id,
                  name: s.name,
                  dynamic: s.dynamic ? 'yes' : 'no',
                  orientation: s.orientation,
                  zOffset: n(s.zOffset),
                  country: s.country,
                  type: s.type,
                  subtype: s.subtype,
                  value: s.value !== undefined ? n(s.value) : undefined,
                  unit: s.unit,
                },
                s.validLanes.map((v) => el('validity', { fromLane: v.fromLane, toLane: v.toLane })),
              ),
        ),
      ),
  ]);
}

export function writeOpenDrive(net: OdrNetwork): string {
  const h = net.header;
  const root = el('OpenDRIVE', {}, [
    el(
      'header',
      {
        revMajor: 1,
        revMinor: 6,
        name: h.name,
        version: h.version,
        date: h.date,
        north: h.north,
        south: h.south,
        east: h.east,
        west: h.west,
        vendor: h.vendor,
      },
      [
        h.geoReference !== undefined && el('geoReference', {}, [text(h.geoReference)]),
        h.offset && el('offset', { x: n(h.offset.x), y: n(h.offset.y), z: n(h.offset.z), hdg: n(h.offset.hdg) }),
      ],
    ),
    ...net.roads.map(road),
    ...net.controllers.map((c) =>
      el(
        'controller',
        { id: c.id, name: c.name, sequence: c.sequence },
        c.controls.map((x) => el('control', { signalId: x.signalId, type: x.type })),
      ),
    ),
    ...net.junctions.map((j) =>
      el('junction', { id: j.id, name: j.name, type: j.type === 'default' ? undefined : j.type }, [
        ...j.connections.map((c) =>
          el(
            'connection',
            { id: c.id, incomingRoad: c.incomingRoad, connectingRoad: c.connectingRoad, contactPoint: c.contactPoint },
            c.laneLinks.map((l) => el('laneLink', { from: l.from, to: l.to })),
          ),
        ),
        ...j.controllers.map((c) => el('controller', { id: c.id, type: c.type, sequence: c.sequence })),
      ]),
    ),
  ]);
  return serializeXml(root);
}
