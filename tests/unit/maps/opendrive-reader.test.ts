import { describe, expect, it } from 'vitest';
import {
  ODR_LIMITS,
  OpenDriveError,
  laneAtT,
  laneBounds,
  lanePose,
  laneSpeedLimit,
  laneWidth,
  readOpenDrive,
} from '~/server/maps/opendrive';

/** Small hand-written files for what the shared maps do not exercise: borders, poly3, bad input. */

const doc = (roads: string, extra = '') => `<?xml version="1.0" encoding="UTF-8"?>
<OpenDRIVE>
  <header revMajor="1" revMinor="6" name="t" vendor="test">
    <geoReference><![CDATA[+proj=utm +zone=32 +datum=WGS84]]></geoReference>
    <offset x="10" y="20" z="0" hdg="0.1"/>
  </header>
  ${roads}
  ${extra}
</OpenDRIVE>`;

const road = `
  <road id="7" length="50" junction="-1" rule="LHT">
    <type s="0" type="rural"><speed max="90" unit="km/h"/></type>
    <planView>
      <geometry s="0" x="0" y="0" hdg="0" length="50"><poly3 a="0" b="0" c="0.001" d="0"/></geometry>
    </planView>
    <elevationProfile><elevation s="0" a="2" b="0.05" c="0" d="0"/></elevationProfile>
    <lateralProfile><superelevation s="0" a="0.02" b="0" c="0" d="0"/><shape s="0" t="0" a="0" b="0" c="0" d="0"/></lateralProfile>
    <lanes>
      <laneOffset s="0" a="0.5" b="0" c="0" d="0"/>
      <laneSection s="0">
        <left>
          <lane id="2" type="sidewalk"><border sOffset="0" a="8.5" b="0" c="0" d="0"/></lane>
          <lane id="1" type="driving"><width sOffset="0" a="3" b="0" c="0" d="0"/><width sOffset="25" a="3" b="0.02" c="0" d="0"/>
            <speed sOffset="0" max="30" unit="mph"/><roadMark sOffset="0" type="solid" color="white" width="0.15"/></lane>
        </left>
        <center><lane id="0" type="none"/></center>
        <right>
          <lane id="-1" type="driving"><width sOffset="0" a="3.5" b="0" c="0" d="0"/><material sOffset="0" surface="asphalt"/></lane>
        </right>
      </laneSection>
    </lanes>
    <objects><object id="1" s="1" t="1" type="pole"/></objects>
    <signals><signal id="s1" s="10" t="-4" dynamic="yes" orientation="+" type="1000001" subtype="-1"><validity fromLane="-1" toLane="-1"/></signal></signals>
  </road>`;

describe('OpenDRIVE reader', () => {
  it('reads header, offsets, border lanes, poly3, speeds, signals; reports what it leaves out', () => {
    const { network, issues, report } = readOpenDrive(
      doc(road, '<controller id="c1" name="tl"><control signalId="s1" type="0"/></controller>'),
    );
    expect(issues).toEqual([]);
    expect(network.header).toMatchObject({ revMajor: 1, revMinor: 6, name: 't', vendor: 'test' });
    expect(network.header.geoReference).toBe('+proj=utm +zone=32 +datum=WGS84');
    expect(network.header.offset).toEqual({ x: 10, y: 20, z: 0, hdg: 0.1 });
    const r = network.roadById.get('7')!;
    expect(r.rule).toBe('LHT');
    expect(r.types[0]!.speedMax).toBeCloseTo(25, 9);
    expect(laneSpeedLimit(r, 1, 5)).toBeCloseTo(30 * 0.44704, 9);
    expect(laneSpeedLimit(r, -1, 5)).toBeCloseTo(25, 9);
    // Lane 1 starts at the lane offset (0.5) and widens after s = 25; lane 2's outer edge is its border.
    expect(laneBounds(r, 1, 10)).toEqual({ inner: 0.5, outer: 3.5 });
    expect(laneWidth(r, 1, 35)).toBeCloseTo(3 + 0.02 * 10, 12);
    expect(laneBounds(r, 2, 10)).toEqual({ inner: 3.5, outer: 8.5 });
    expect(laneBounds(r, -1, 10)).toEqual({ inner: 0.5, outer: -3 });
    expect(laneAtT(r, 10, 5)?.laneId).toBe(2);
    expect(laneAtT(r, 10, -1)?.laneId).toBe(-1);
    expect(laneAtT(r, 10, -3.5)).toBeNull();
    // Elevation, superelevation and the LHT direction of travel.
    const p = lanePose(r, -1, 20)!;
    expect(p.z).toBeCloseTo(2 + 0.05 * 20 + -1.25 * Math.tan(0.02), 9);
    expect(p.laneHeading - p.heading).toBeCloseTo(Math.PI, 12);
    expect(r.signals[0]).toMatchObject({ id: 's1', dynamic: true, validLanes: [{ fromLane: -1, toLane: -1 }] });
    expect(network.controllers).toEqual([
      { id: 'c1', name: 'tl', sequence: undefined, controls: [{ signalId: 's1', type: '0' }] },
    ]);
    expect(report.some((l) => l.startsWith('OpenDRIVE/road/objects (×1'))).toBe(true);
    expect(report.some((l) => l.startsWith('OpenDRIVE/road/lateralProfile/shape'))).toBe(true);
    expect(report.some((l) => l.startsWith('OpenDRIVE/road/lanes/laneSection/right/lane/material'))).toBe(true);
  });

  it('reports bad values and broken references instead of failing', () => {
    const bad = doc(
      road
        .replace('length="50" junction', 'length="fifty" junction')
        .replace('<poly3 a="0" b="0" c="0.001" d="0"/>', '<poly3 a="0" b="0" c="0.001" d="0"/>')
        .replace('<geometry s="0"', '<geometry s="0" x="0" y="0" hdg="0" length="5"/><geometry s="0"'),
      '<road id="8" length="10"><link><successor elementType="road" elementId="99"/></link><planView/><lanes/></road>',
    );
    const { issues, network } = readOpenDrive(bad);
    expect(issues.some((i) => i.includes('length="fifty" is not a number'))).toBe(true);
    expect(issues.some((i) => i.includes('geometry without'))).toBe(true);
    expect(issues.some((i) => i.includes('road 8: successor road 99 does not exist'))).toBe(true);
    expect(issues.some((i) => i.includes('road 8 has no usable geometry'))).toBe(true);
    expect(network.roadById.get('8')!.successor).toBeUndefined();
  });

  it('refuses what is not OpenDRIVE, DTDs, entities, deep nesting and oversize files', () => {
    expect(() => readOpenDrive('<OpenSCENARIO/>')).toThrow(/not an OpenDRIVE file/);
    expect(() => readOpenDrive('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><OpenDRIVE/>')).toThrow(
      OpenDriveError,
    );
    const deep = `<OpenDRIVE>${'<a>'.repeat(ODR_LIMITS.maxDepth + 1)}${'</a>'.repeat(ODR_LIMITS.maxDepth + 1)}</OpenDRIVE>`;
    expect(() => readOpenDrive(deep)).toThrow(/nested deeper/);
    expect(() => readOpenDrive(' '.repeat(ODR_LIMITS.maxBytes + 1))).toThrow(/larger than/);
    expect(() => readOpenDrive('<OpenDRIVE><road id="1"></OpenDRIVE>')).toThrow();
  });

  // Issue 19 (fuzz seed 19019): these used to be read, giving an Infinity preview, stats of 1e308
  // metres or a road silently moved to 0; each is now refused with the attribute and line named.
  it.each([
    ['road length 1e+308', (x: string) => x.replace('length="50" junction', 'length="1e+308" junction'), 'length'],
    ['geometry x -Infinity', (x: string) => x.replace('<geometry s="0" x="0"', '<geometry s="0" x="-Infinity"'), 'x'],
    ['geometry s Infinity', (x: string) => x.replace('<geometry s="0" x="0"', '<geometry s="Infinity" x="0"'), 's'],
    ['lane width 1e300', (x: string) => x.replace('a="3.5"', 'a="1e300"'), 'a'],
    ['speed max Infinity', (x: string) => x.replace(/<speed max="[^"]*"/, '<speed max="Infinity"'), 'max'],
    ['signal value -1e309', (x: string) => x.replace('<signal id="s1"', '<signal id="s1" value="-1e309"'), 'value'],
  ])('refuses a non-finite or overflowing number: %s', (_, edit, attr) => {
    const text = edit(doc(road));
    expect(text).not.toBe(doc(road));
    let err: unknown;
    try {
      readOpenDrive(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OpenDriveError);
    expect((err as OpenDriveError).code).toBe('number_out_of_range');
    expect((err as OpenDriveError).message).toMatch(new RegExp(`at line \\d+: ${attr}="[^"]+" is out of range`));
  });

  it('keeps large but real coordinates (UTM eastings and northings)', () => {
    const utm = doc(road.replace('x="0" y="0" hdg="0" length="50"', 'x="691000.25" y="5335000.5" hdg="0" length="50"'));
    expect(() => readOpenDrive(utm)).not.toThrow();
  });
});
