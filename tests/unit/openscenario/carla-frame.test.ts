import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioSchema } from '~/server/contracts/scenario';
import { exportXosc, importXosc } from '~/server/interop/openscenario';
import { mirrorCarlaFrame, usesCarlaFrame } from '~/server/interop/openscenario/carla-frame';
import { sharedDir } from './helpers';

const follow = readFileSync(join(sharedDir, 'openscenario', 'examples', 'FollowLeadingVehicle.xosc'), 'utf8');
const withEgoAt = (xml: string, description: string, pos: string) =>
  xml
    .replace(/description="[^"]*"/, `description="${description}"`)
    .replace('<RoadPosition roadId="4" s="48.58" t="2.75"/>', pos);

describe("CARLA's frame", () => {
  it('mirrors y and heading, and is its own inverse', () => {
    const p = { x: 10, y: 20, z: 1, h: 0.5 };
    expect(mirrorCarlaFrame(p)).toEqual({ x: 10, y: -20, z: 1, h: -0.5 });
    expect(mirrorCarlaFrame(mirrorCarlaFrame(p))).toEqual(p);
    expect(mirrorCarlaFrame({ x: 0, y: 0, z: 0, h: Math.PI }).h).toBeCloseTo(Math.PI, 12);
    expect(mirrorCarlaFrame({ x: 0, y: 0, z: 0, h: (3 * Math.PI) / 2 }).h).toBeCloseTo(Math.PI / 2, 12);
    expect(usesCarlaFrame('CARLA:FollowLeadingVehicle')).toBe(true);
    expect(usesCarlaFrame('esmini cut-in')).toBe(false);
  });

  it('import converts a CARLA-frame WorldPosition to OpenDRIVE, other files keep theirs', () => {
    const pos = '<WorldPosition x="190" y="133" z="0.5" h="1.2"/>';
    const carla = importXosc(withEgoAt(follow, 'CARLA:Follow', pos));
    expect(carla.egoStart).toEqual({ kind: 'world', x: 190, y: -133, z: 0.5, h: -1.2, fromCarlaFrame: true });
    const plain = importXosc(withEgoAt(follow, 'Follow', pos));
    expect(plain.egoStart).toEqual({ kind: 'world', x: 190, y: 133, z: 0.5, h: 1.2, fromCarlaFrame: false });
    // Lane and road positions carry no frame: they are read as they are.
    expect(importXosc(follow).egoStart).toEqual({ kind: 'road', roadId: '4', s: 48.58, t: 2.75 });
  });

  it("export declares CARLA's frame for its CARLA spawn point, and import reads the same pose back", () => {
    const egoPose = { x: 100, y: -50, z: 0.3, h: 0.25 };
    const xml = exportXosc(scenarioSchema.parse({ name: 'frame', traffic: { vehicles: 1 } }), { egoPose });
    expect(xml).toMatch(/description="CARLA:frame"/);
    const back = importXosc(xml);
    expect(back.scenario.name).toBe('frame');
    // In OpenDRIVE's frame after import; mirrored again it is the exported CARLA pose.
    expect(back.egoStart).toMatchObject({ kind: 'world', x: 100, y: 50, h: -0.25, fromCarlaFrame: true });
    const s = back.egoStart as { x: number; y: number; z: number; h: number };
    expect(mirrorCarlaFrame(s)).toMatchObject(egoPose);
  });
});
