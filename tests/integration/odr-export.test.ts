import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { roadMapFromOpenDrive } from '~/server/maps/from-opendrive';
import { lanePose, readOpenDrive } from '~/server/maps/opendrive';
import { parseXml, type XmlElement } from '~/server/xml/parse';
import { callerFor, makeOrg, userCaller, type OrgFixture } from '../helpers/tenancy';
import { sharedDir, validateWithXmllint } from '../unit/openscenario/helpers';

const town01 = readFileSync(join(sharedDir, 'opendrive', 'Town01.xodr'), 'utf8');
const network = readOpenDrive(town01).network;
const simMap = roadMapFromOpenDrive(network, 'Town01').map;

const find = (n: XmlElement, name: string): XmlElement[] => [
  ...(n.name === name ? [n] : []),
  ...n.children.flatMap((c) => find(c, name)),
];

describe('a scenario authored on Town01', () => {
  let a: OrgFixture;
  let eng: ReturnType<typeof callerFor>;
  let mapRef: { mapId: string; version: number; name: string };
  beforeAll(async () => {
    a = await makeOrg('odr-export');
    eng = callerFor(userCaller(a.users.engineer));
    const up = await eng.maps.upload({ org: a.org.slug, name: 'Town01', xodr: town01 });
    mapRef = { mapId: up.id, version: up.version, name: 'Town01' };
  });

  it('exports LanePositions on the real roads, XSD-valid, and re-imports unchanged', async () => {
    // Ego on road 1's lane 1 (driven towards decreasing s), 40 m into it; the map names its lanes.
    const spawn = { laneId: '1:0:1', s: 40 };
    expect(simMap.lanes.has(spawn.laneId)).toBe(true);
    const created = await eng.scenarios.create({
      org: a.org.slug,
      name: 'On Town01',
      spec: {
        map: 'urban_grid',
        roadNetwork: mapRef,
        ego: { spawn, targetSpeed: 12 },
        traffic: { vehicles: 4 },
        durationS: 45,
        seed: 9,
      },
    });
    const original = (await eng.scenarios.get({ org: a.org.slug, id: created.id })).spec;
    const out = await eng.scenarios.exportXosc({ org: a.org.slug, id: created.id });

    expect(validateWithXmllint({ 'town01.xosc': out.xml })['town01.xosc']).toMatchObject({ code: 0 });
    const root = parseXml(out.xml);
    expect(find(root, 'LogicFile')[0]!.attrs.filepath).toBe('Town01');
    const lanePositions = find(root, 'LanePosition');
    expect(lanePositions).toHaveLength(1);
    const lp = lanePositions[0]!.attrs;
    expect(lp).toMatchObject({ roadId: '1', laneId: '1' });
    // The exported lane position lands where the simulator places the ego (its stored pose).
    const stored = simMap.lanes.get(spawn.laneId)!.poly.sample(spawn.s);
    const p = lanePose(network.roadById.get(lp.roadId!)!, Number(lp.laneId), Number(lp.s), Number(lp.offset))!;
    expect(Math.hypot(p.x - stored.x, p.y - stored.y)).toBeLessThan(0.1);

    const back = await eng.scenarios.importXosc({ org: a.org.slug, xml: out.xml });
    expect(back.roadNetwork?.map).toMatchObject({ id: mapRef.mapId, version: mapRef.version });
    const again = (await eng.scenarios.get({ org: a.org.slug, id: back.id })).spec;
    expect(again.ego.spawn!.laneId).toBe(spawn.laneId);
    expect(again.ego.spawn!.s).toBeCloseTo(spawn.s, 2);
    expect({ ...again, ego: { ...again.ego, spawn: undefined } }).toEqual({
      ...original,
      ego: { ...original.ego, spawn: undefined },
    });
  });

  it("downloads for CARLA: the .xosc, the map's .xodr and a README, built-in maps included", async () => {
    const created = await eng.scenarios.create({
      org: a.org.slug,
      name: 'Bundle',
      spec: { map: 'urban_grid', roadNetwork: mapRef, ego: { spawn: { laneId: '1:0:1', s: 10 } } },
    });
    const b = await eng.scenarios.exportCarlaBundle({ org: a.org.slug, id: created.id });
    expect(b.filename).toBe('bundle-v1-carla.zip');
    const files = unzipSync(Buffer.from(b.base64, 'base64'));
    expect(Object.keys(files).sort()).toEqual(['README.md', 'Town01.xodr', 'bundle-v1.xosc']);
    expect(strFromU8(files['Town01.xodr']!)).toBe(town01);
    const readme = strFromU8(files['README.md']!);
    expect(readme).toContain('--openscenario bundle-v1.xosc');
    expect(readme).toContain('generate_opendrive_world');
    expect(validateWithXmllint({ 'b.xosc': strFromU8(files['bundle-v1.xosc']!) })['b.xosc']).toMatchObject({ code: 0 });

    const builtin = await eng.scenarios.create({ org: a.org.slug, name: 'Grid', spec: { map: 'urban_grid' } });
    const g = unzipSync(
      Buffer.from((await eng.scenarios.exportCarlaBundle({ org: a.org.slug, id: builtin.id })).base64, 'base64'),
    );
    expect(Object.keys(g).sort()).toEqual(['README.md', 'grid-v1.xosc', 'urban_grid.xodr']);
    expect(readOpenDrive(strFromU8(g['urban_grid.xodr']!)).network.roads.length).toBeGreaterThan(0);
  });
});
