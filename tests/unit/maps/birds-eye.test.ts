import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { BirdsEye } from '~/components/live/birds-eye';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import { roadMapFromOpenDrive } from '~/server/maps/from-opendrive';
import { readOpenDrive } from '~/server/maps/opendrive';
import { networkOutline } from '~/server/maps/outline';
import { createSimulation } from '~/workers/sim/simulation';
import { sharedDir } from '../openscenario/helpers';

const network = readOpenDrive(readFileSync(join(sharedDir, 'opendrive', 'Town01.xodr'), 'utf8')).network;

describe("the bird's-eye map on Town01", () => {
  const outline = networkOutline(network, 'Town01');
  const sim = createSimulation(
    { map: 'urban_grid', durationS: 20, traffic: { vehicles: 19 }, seed: 3 },
    { orgId: 'o', runId: 'r', network: roadMapFromOpenDrive(network, 'Town01').map, clock: () => 0 },
  );
  let frames: TelemetryFrame[] = [];
  while (!sim.done) {
    const r = sim.step();
    if (r.frames.length) frames = r.frames;
  }

  it('draws every lane surface and the road marks of the file', () => {
    const drivable = network.roads.reduce(
      (a, r) =>
        a + r.sections.reduce((b, s) => b + [...s.left, ...s.right].filter((l) => l.type === 'driving').length, 0),
      0,
    );
    expect(outline.areas.filter((a) => a.kind === 'drivable')).toHaveLength(drivable);
    expect(outline.marks.filter((m) => m.style === 'broken').length).toBeGreaterThan(0);
    expect(outline.marks.filter((m) => m.style === 'solid').length).toBeGreaterThan(0);
    const html = renderToStaticMarkup(createElement(BirdsEye, { outline, vehicles: frames, selected: 'ego' }));
    expect(html.match(/data-testid="map-lane"/g)).toHaveLength(drivable);
  });

  it('fits all 20 vehicles by default, named on hover, with a scale bar', () => {
    expect(frames).toHaveLength(20);
    const html = renderToStaticMarkup(createElement(BirdsEye, { outline, vehicles: frames, selected: 'ego' }));
    expect(html).toContain('data-mode="fit"');
    const [x, y, w, h] = /data-view="([^"]+)"/.exec(html)![1]!.split(' ').map(Number) as [
      number,
      number,
      number,
      number,
    ];
    for (const f of frames) {
      expect(f.pose.x).toBeGreaterThan(x);
      expect(f.pose.x).toBeLessThan(x + w);
      expect(-f.pose.y).toBeGreaterThan(y);
      expect(-f.pose.y).toBeLessThan(y + h);
      // Every vehicle is named on hover (its <title>); the ego always carries a label.
      expect(html).toContain(`<title>${f.vehicleId}</title>`);
    }
    expect(html).toContain('data-testid="vehicle-label">ego</text>');
    expect(html).toMatch(/data-testid="scale-bar" data-metres="\d+"/);
    // Following the ego frames a much smaller area around it.
    const follow = renderToStaticMarkup(
      createElement(BirdsEye, { outline, vehicles: frames, selected: 'ego', initialMode: 'follow' }),
    );
    const fw = Number(/data-view="[^ ]+ [^ ]+ ([^ ]+) /.exec(follow)![1]);
    expect(fw).toBeLessThan(w);
  });
});
