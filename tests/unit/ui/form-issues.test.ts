import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldErrors, friendlyIssue, humanizeKey, serverIssues } from '~/components/forms/issues';
import { scenarioPresets, scenarioSchema } from '~/server/contracts/scenario';

describe('form issues in words', () => {
  it('says a fault past the end of the run in the run’s own terms, at the fault’s start field', () => {
    const r = scenarioSchema.safeParse({
      ...scenarioPresets.highway_cruise,
      durationS: 120,
      faults: [{ type: 'engine_overheat', vehicle: 'ego', startS: 150, rampS: 5, severity: 0.5 }],
    });
    expect(r.success).toBe(false);
    const errors = fieldErrors(r.error!.issues, (k) =>
      k.endsWith('startS') ? { label: 'Start', unit: 's' } : undefined,
    );
    expect(errors['faults.0.startS']).toBe("Fault start must be within the run's 120 s duration");
  });

  it('names a missing traffic vehicle by the scenario’s count', () => {
    const r = scenarioSchema.safeParse({
      ...scenarioPresets.highway_cruise,
      traffic: { vehicles: 3 },
      faults: [{ type: 'engine_overheat', vehicle: 7, startS: 1 }],
    });
    expect(fieldErrors(r.error!.issues, () => undefined)['faults.0.vehicle']).toBe(
      'Vehicle must be "ego" or one of the 3 traffic vehicles (0 to 2)',
    );
  });

  it('turns zod bounds into sentences with the label and unit, client-side and from the wire', () => {
    const r = z
      .object({ a: z.number().positive(), b: z.number().max(1), c: z.number(), d: z.string().min(3) })
      .safeParse({ a: 0, b: 2, c: Number.NaN, d: 'x' });
    const labels: Record<string, { label: string; unit?: string }> = {
      a: { label: 'Duration', unit: 's' },
      b: { label: 'Severity' },
      c: { label: 'Seed' },
      d: { label: 'Name' },
    };
    expect(fieldErrors(r.error!.issues, (k) => labels[k])).toEqual({
      a: 'Duration must be more than 0 s',
      b: 'Severity can be at most 1',
      c: 'Seed must be a number',
      d: 'Name needs at least 3 characters',
    });
    // The same issues as the server sends them: path as a string, no bounds, zod's wording.
    const wire = r.error!.issues.map((i) => ({ path: i.path.join('.'), code: i.code, message: i.message }));
    expect(friendlyIssue(wire[0]!, labels.a)).toBe('Duration must be more than 0 s');
    expect(friendlyIssue(wire[1]!, labels.b)).toBe('Severity can be at most 1');
    expect(friendlyIssue(wire[3]!, labels.d)).toBe('Name needs at least 3 characters');
    for (const m of Object.values(fieldErrors(wire, (k) => labels[k]))) expect(m).not.toMatch(/expected|>|</);
  });

  it('reads the issues of a failed call from the one error shape, and nothing from others', () => {
    const issues = [{ path: 'params.epochs', code: 'too_small', message: 'Too small: expected number to be >=1' }];
    expect(serverIssues({ data: { issues } })).toEqual(issues);
    expect(serverIssues(new Error('boom'))).toEqual([]);
    expect(serverIssues({ data: { issues: 'x' } })).toEqual([]);
    expect(humanizeKey('learningRate')).toBe('Learning rate');
    expect(humanizeKey('startS')).toBe('Start');
  });
});
