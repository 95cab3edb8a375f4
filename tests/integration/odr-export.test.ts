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
    // Traffic placed by hand, junction (curved) lanes included, and a route to a far lane.
    const curved = simMap.laneList.filter((l) => l.junctionId && l.length > 15);
    const straight = simMap.laneList.filter((l) => !l.junctionId && l.length > 60 && l.id !== spawn.laneId);
    const placed = [curved[0]!, curved[5]!, straight[2]!, straight[7]!].map((l) => ({
      laneId: l.id,
      s: Math.round(l.length * 0.6 * 100) / 100,
    }));
    const to = { laneId: straight[10]!.id, s: 10 };
    const created = await eng.scenarios.create({
      org: a.org.slug,
      name: 'On Town01',
      spec: {
        map: 'urban_grid',
        roadNetwork: mapRef,
        ego: { spawn, targetSpeed: 12, route: { to } },
        traffic: { vehicles: 6, placed },
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
    expect(lanePositions).toHaveLength(1 + placed.length);
    expect(lanePositions[0]!.attrs).toMatchObject({ roadId: '1', laneId: '1' });
    // Each exported lane position lands where the simulator places its vehicle (its stored pose).
    [spawn, ...placed].forEach((want, i) => {
      const lp = lanePositions[i]!.attrs;
      const stored = simMap.lanes.get(want.laneId)!.poly.sample(want.s);
      const p = lanePose(network.roadById.get(lp.roadId!)!, Number(lp.laneId), Number(lp.s), Number(lp.offset))!;
      expect(Math.hypot(p.x - stored.x, p.y - stored.y), `position ${i} (${want.laneId})`).toBeLessThan(0.1);
      // on the road the simulator lane belongs to
      expect(lp.roadId).toBe(want.laneId.split(':')[0]);
    });

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

  it('refuses to save a scenario whose map or lanes are not there, in words at the field', async () => {
    const save = (spec: object) => eng.scenarios.create({ org: a.org.slug, name: 'Bad refs', spec });
    type Issue = { path: string; message: string };
    // A direct tRPC caller throws the TRPCError; the AppError with its issues is its cause.
    const issuesOf = async (p: Promise<unknown>): Promise<Issue[]> => {
      const err = (await p.then(
        () => null,
        (e: unknown) => e,
      )) as { cause?: { issues?: Issue[] } } | null;
      expect(err, 'the save must be refused').not.toBeNull();
      return err!.cause!.issues!;
    };
    // A map version the organisation does not have.
    const noMap = await issuesOf(save({ roadNetwork: { ...mapRef, version: 99 } }));
    expect(noMap).toEqual([
      expect.objectContaining({
        path: 'spec.roadNetwork',
        message: expect.stringMatching(/Map Town01 version 99 does not exist/),
      }),
    ]);
    // Lanes that are not Town01's, and an s past a lane's end.
    const badLanes = await issuesOf(
      save({
        roadNetwork: mapRef,
        ego: { spawn: { laneId: '999:0:-1', s: 1 }, route: { to: { laneId: 'urban:x', s: 0 } } },
        traffic: {
          vehicles: 2,
          placed: [
            { laneId: '1:0:1', s: 1 },
            { laneId: '1:0:1', s: 5000 },
          ],
        },
      }),
    );
    expect(badLanes.map((i) => i.path)).toEqual([
      'spec.ego.spawn.laneId',
      'spec.ego.route.to.laneId',
      'spec.traffic.placed.1.s',
    ]);
    expect(badLanes[0]!.message).toBe('The ego start is on lane "999:0:-1", which is not a driving lane of map Town01');
    expect(badLanes[2]!.message).toMatch(
      /^Traffic vehicle 1 is 5000 m along lane "1:0:1", which is only [\d.]+ m long$/,
    );
    // The same lane ids are checked on built-in maps, and updates are checked too.
    const ok = await eng.scenarios.create({ org: a.org.slug, name: 'Good refs', spec: { roadNetwork: mapRef } });
    const onBuiltin = await issuesOf(
      eng.scenarios.update({
        org: a.org.slug,
        id: ok.id,
        spec: { map: 'urban_grid', ego: { spawn: { laneId: '1:0:1', s: 0 } } },
      }),
    );
    expect(onBuiltin).toEqual([
      expect.objectContaining({
        path: 'spec.ego.spawn.laneId',
        message: expect.stringMatching(/not a driving lane of map urban_grid/),
      }),
    ]);
  });
});
