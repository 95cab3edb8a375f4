import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '~/server/db';
import { MAX_XODR_BYTES } from '~/server/maps/org-maps';
import { lanePose, readOpenDrive } from '~/server/maps/opendrive';
import { callerFor, makeOrg, userCaller, type OrgFixture } from '../helpers/tenancy';
import { sharedDir } from '../unit/openscenario/helpers';

const town01 = readFileSync(join(sharedDir, 'opendrive', 'Town01.xodr'), 'utf8');
const straight = readFileSync(join(sharedDir, 'openscenario', 'esmini', 'xodr', 'straight_500m.xodr'), 'utf8');

const code = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TRPCError);
  return { code: (e as TRPCError).code, message: (e as TRPCError).message };
};

describe('organisation maps', () => {
  let a: OrgFixture;
  let b: OrgFixture;
  let eng: ReturnType<typeof callerFor>;
  beforeAll(async () => {
    [a, b] = [await makeOrg('maps-a'), await makeOrg('maps-b')];
    eng = callerFor(userCaller(a.users.engineer));
  });

  it('uploads Town01 with counts, report and preview; the same name again is version 2', async () => {
    const up = await eng.maps.upload({ org: a.org.slug, name: 'Town01', xodr: town01 });
    expect(up).toMatchObject({ name: 'Town01', version: 1, stats: { roads: 122, junctions: 12, signals: 36 } });
    expect(up.report.some((r) => r.startsWith('OpenDRIVE/road/objects'))).toBe(true);
    const got = await eng.maps.get({ org: a.org.slug, id: up.id });
    expect(got.previewSvg).toMatch(/^<svg [^>]*viewBox=/);
    expect(got.previewSvg.length).toBeLessThan(1024 * 1024);
    expect(got.report).toEqual(up.report);

    const v2 = await eng.maps.upload({ org: a.org.slug, name: 'Town01', xodr: straight });
    expect(v2).toMatchObject({ id: up.id, version: 2, stats: { roads: 1 } });
    expect((await eng.maps.download({ org: a.org.slug, id: up.id, version: 1 })).xodr).toBe(town01);
    expect((await eng.maps.download({ org: a.org.slug, id: up.id })).xodr).toBe(straight);
    const list = await callerFor(userCaller(a.users.viewer)).maps.list({ org: a.org.slug });
    expect(list).toEqual([expect.objectContaining({ name: 'Town01', latestVersion: 2 })]);
  });

  it('refuses files the reader refuses, oversize files and viewers, storing nothing', async () => {
    const before = await db.orgMapVersion.count({ where: { orgId: a.org.id } });
    expect(await code(eng.maps.upload({ org: a.org.slug, name: 'x', xodr: '<OpenSCENARIO/>' }))).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/not an OpenDRIVE file/),
    });
    const dtd = '<?xml version="1.0"?><!DOCTYPE OpenDRIVE [<!ENTITY x "y">]><OpenDRIVE/>';
    expect((await code(eng.maps.upload({ org: a.org.slug, name: 'x', xodr: dtd }))).code).toBe('BAD_REQUEST');
    expect(
      (await code(eng.maps.upload({ org: a.org.slug, name: 'x', xodr: '<OpenDRIVE><header/></OpenDRIVE>' }))).message,
    ).toMatch(/no roads/);
    expect(
      await code(eng.maps.upload({ org: a.org.slug, name: 'x', xodr: ' '.repeat(MAX_XODR_BYTES + 1) })),
    ).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/larger than 16 MiB/) });
    expect((await code(eng.maps.upload({ org: a.org.slug, name: '../etc', xodr: straight }))).code).toBe('BAD_REQUEST');
    const viewer = callerFor(userCaller(a.users.viewer));
    expect((await code(viewer.maps.upload({ org: a.org.slug, name: 'v', xodr: straight }))).code).toBe('FORBIDDEN');
    expect(await db.orgMapVersion.count({ where: { orgId: a.org.id } })).toBe(before);
  });

  it("another organisation neither lists nor reads A's maps", async () => {
    const mine = await eng.maps.upload({ org: a.org.slug, name: 'private', xodr: straight });
    const other = callerFor(userCaller(b.users.owner));
    expect(await other.maps.list({ org: b.org.slug })).toEqual([]);
    expect((await code(other.maps.get({ org: b.org.slug, id: mine.id }))).code).toBe('NOT_FOUND');
    expect((await code(other.maps.download({ org: b.org.slug, id: mine.id }))).code).toBe('NOT_FOUND');
  });

  it(".xosc import resolves LogicFile against the organisation's maps, and asks for a missing one", async () => {
    const follow = readFileSync(join(sharedDir, 'openscenario', 'examples', 'FollowLeadingVehicle.xosc'), 'utf8');
    const found = await eng.scenarios.importXosc({ org: a.org.slug, xml: follow });
    expect(found.roadNetwork).toMatchObject({
      logicFile: 'Town01',
      map: { name: 'Town01', version: 2 },
      missingFile: null,
    });
    const lane = readFileSync(join(sharedDir, 'openscenario', 'examples', 'LaneChangeSimple.xosc'), 'utf8');
    const missing = await eng.scenarios.importXosc({ org: a.org.slug, xml: lane });
    expect(missing.roadNetwork).toMatchObject({ logicFile: 'Town04', map: null, missingFile: 'Town04' });
    expect(missing.notes.join('\n')).toMatch(/upload Town04\.xodr/);
    // B has no Town01: the same file is a missing map there.
    const inB = await callerFor(userCaller(b.users.engineer)).scenarios.importXosc({ org: b.org.slug, xml: follow });
    expect(inB.roadNetwork?.map).toBeNull();
  });

  it("places a CARLA-frame ego start on the organisation's Town01: mirrored into OpenDRIVE, on the right lane", async () => {
    const c = await makeOrg('maps-c');
    const e = callerFor(userCaller(c.users.engineer));
    await e.maps.upload({ org: c.org.slug, name: 'Town01', xodr: town01 });
    const road = readOpenDrive(town01).network.roadById.get('4')!;
    const p = lanePose(road, -1, 30, 0)!;
    const follow = readFileSync(join(sharedDir, 'openscenario', 'examples', 'FollowLeadingVehicle.xosc'), 'utf8');
    // The file says CARLA:, so its WorldPosition is in CARLA's frame: y and heading negated.
    const xml = follow.replace(
      '<RoadPosition roadId="4" s="48.58" t="2.75"/>',
      `<WorldPosition x="${p.x}" y="${-p.y}" z="0" h="${-p.laneHeading}"/>`,
    );
    const r = await e.scenarios.importXosc({ org: c.org.slug, xml });
    expect(r.roadNetwork?.egoStart).toMatchObject({ roadId: '4', laneId: -1 });
    expect(r.roadNetwork!.egoStart!.s).toBeCloseTo(30, 2);
    expect(Math.hypot(r.roadNetwork!.egoStart!.x - p.x, r.roadNetwork!.egoStart!.y - p.y)).toBeLessThan(0.01);
    expect(r.notes.join('\n')).toMatch(/converted from CARLA's/);
    // The original RoadPosition (road 4, s 48.58, t 2.75) lies on the left driving lane.
    const orig = await e.scenarios.importXosc({ org: c.org.slug, xml: follow });
    expect(orig.roadNetwork?.egoStart).toMatchObject({ roadId: '4', laneId: 1, s: 48.58 });
  });
});
