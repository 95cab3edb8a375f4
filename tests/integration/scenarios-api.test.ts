import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '~/server/db';
import { createRun } from '~/server/runs/commands';
import { callerFor, makeOrg, userCaller, type OrgFixture } from '../helpers/tenancy';

const shared = process.env.DRIVELAB_SHARED_DIR ?? join(process.cwd(), '..', 'shared');

describe('scenarios through tRPC', () => {
  let a: OrgFixture;
  let eng: ReturnType<typeof callerFor>;
  beforeAll(async () => {
    a = await makeOrg('scn');
    eng = callerFor(userCaller(a.users.engineer));
  });

  it('editing makes a new version; a run keeps the version it ran', async () => {
    const { id } = await eng.scenarios.create({ org: a.org.slug, name: 'Brake test', presetId: 'brake_fade_descent' });
    const v1 = await eng.scenarios.get({ org: a.org.slug, id });
    expect(v1.spec.faults[0]?.type).toBe('brake_fade');
    const run = await createRun(db, { orgId: a.org.id, scenarioId: id, dispatch: false });

    const edited = await eng.scenarios.update({ org: a.org.slug, id, spec: { ...v1.spec, durationS: 42, faults: [] } });
    expect(edited.version).toBe(2);
    const latest = await eng.scenarios.get({ org: a.org.slug, id });
    expect(latest).toMatchObject({ version: 2, latestVersion: 2 });
    expect(latest.spec.durationS).toBe(42);
    expect((await eng.scenarios.get({ org: a.org.slug, id, version: 1 })).spec.faults).toHaveLength(1);
    const kept = await eng.runs.get({ org: a.org.slug, id: run.id });
    expect(kept.version).toBe(1);
    expect((kept.spec as { faults: unknown[] }).faults).toHaveLength(1);
  });

  it('refuses invalid scenarios with readable messages, and archived ones cannot run', async () => {
    const bad = await eng.scenarios
      .create({
        org: a.org.slug,
        name: 'x',
        spec: { sensors: { rateHz: 100 }, faults: [{ type: 'engine_overheat', vehicle: 7 }], traffic: { vehicles: 2 } },
      })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(TRPCError);
    expect((bad as TRPCError).code).toBe('BAD_REQUEST');
    expect((bad as TRPCError).message).toMatch(/sensors\.rateHz: sensor rateHz must be between 10 and 50/);
    expect((bad as TRPCError).message).toMatch(/faults\.0\.vehicle/);

    const { id } = await eng.scenarios.create({ org: a.org.slug, name: 'Archive me', presetId: 'highway_cruise' });
    const copy = await eng.scenarios.duplicate({ org: a.org.slug, id });
    expect((await eng.scenarios.get({ org: a.org.slug, id: copy.id })).name).toBe('Archive me (copy)');
    await eng.scenarios.setArchived({ org: a.org.slug, id, archived: true });
    expect((await eng.scenarios.list({ org: a.org.slug })).map((s) => s.id)).not.toContain(id);
    expect((await eng.scenarios.list({ org: a.org.slug, includeArchived: true })).map((s) => s.id)).toContain(id);
    await expect(eng.runs.start({ org: a.org.slug, scenarioId: id })).rejects.toThrow(/archived/);
  });

  it('every way of creating a scenario records its author on the scenario and on version 1', async () => {
    const made = await eng.scenarios.create({ org: a.org.slug, name: 'Authored', presetId: 'highway_cruise' });
    const copy = await eng.scenarios.duplicate({ org: a.org.slug, id: made.id, name: 'Authored copy' });
    const { xml } = await eng.scenarios.exportXosc({ org: a.org.slug, id: made.id });
    const imported = await eng.scenarios.importXosc({ org: a.org.slug, xml, name: 'Authored import' });
    for (const id of [made.id, copy.id, imported.id]) {
      const s = await db.scenario.findUniqueOrThrow({ where: { id }, include: { versions: true } });
      expect(s.createdById).toBe(a.users.engineer.id);
      expect(s.versions.map((v) => [v.version, v.createdById])).toEqual([[1, a.users.engineer.id]]);
    }
  });

  it('exports OpenSCENARIO that validates against the ASAM schema, and imports the examples with what is not modelled listed', async () => {
    const { id } = await eng.scenarios.create({
      org: a.org.slug,
      name: 'Rush <hour> & "rain"',
      presetId: 'urban_rush_hour',
    });
    const file = await eng.scenarios.exportXosc({ org: a.org.slug, id });
    expect(file.filename).toBe('rush-hour-rain-v1.xosc');
    const dir = mkdtempSync(join(tmpdir(), 'xosc-'));
    writeFileSync(join(dir, file.filename), file.xml);
    execFileSync(
      'xmllint',
      ['--noout', '--schema', join(shared, 'openscenario', 'OpenSCENARIO.xsd'), join(dir, file.filename)],
      { stdio: 'pipe' },
    );

    const xml = readFileSync(join(shared, 'openscenario', 'examples', 'LaneChangeSimple.xosc'), 'utf8');
    const imported = await eng.scenarios.importXosc({ org: a.org.slug, xml });
    expect(imported.unsupported.length).toBeGreaterThan(0);
    expect(imported.unsupported.join('\n')).toMatch(/LaneChange/);
    const back = await eng.scenarios.get({ org: a.org.slug, id: imported.id });
    expect(back.spec.map).toBe('highway_ring');

    await expect(eng.scenarios.importXosc({ org: a.org.slug, xml: '<OpenSCENARIO><FileHeader' })).rejects.toMatchObject(
      { code: 'BAD_REQUEST' },
    );
    const viewer = callerFor(userCaller(a.users.viewer));
    await expect(viewer.scenarios.importXosc({ org: a.org.slug, xml })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
