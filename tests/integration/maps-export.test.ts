import { beforeAll, describe, expect, it } from 'vitest';
import { builtinMapIds } from '~/server/contracts/scenario';
import { readOpenDrive } from '~/server/maps/opendrive';
import { callerFor, makeOrg, userCaller, type OrgFixture } from '../helpers/tenancy';

describe('map export', () => {
  let a: OrgFixture;
  beforeAll(async () => {
    a = await makeOrg('mapx');
  });

  it('a viewer downloads every built-in map as OpenDRIVE that reads back cleanly', async () => {
    const viewer = callerFor(userCaller(a.users.viewer));
    for (const map of builtinMapIds) {
      const file = await viewer.scenarios.exportMap({ org: a.org.slug, map });
      expect(file.filename).toBe(`${map}.xodr`);
      const { network, report } = readOpenDrive(file.xml);
      expect(report).toEqual([]);
      expect(network.header.name).toBe(map);
      expect(network.roads.length).toBeGreaterThan(0);
    }
    await expect(viewer.scenarios.exportMap({ org: a.org.slug, map: 'Town01' as never })).rejects.toThrow(
      /map must be one of/,
    );
  });
});
