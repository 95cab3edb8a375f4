import { describe, expect, it } from 'vitest';
import { campaignDraftErrors, sweepLabel, type CampaignDraft } from '~/components/campaigns/sweep-params';

const ok: CampaignDraft = {
  strategy: 'lhs',
  runs: 12,
  maxConcurrent: 2,
  dims: [
    { path: 'traffic.vehicles', min: 5, max: 40, integer: true },
    { path: 'ego.targetSpeed', min: 15, max: 35, integer: false },
  ],
};

describe('campaign form in words', () => {
  it('labels swept paths with their names and units', () => {
    expect(sweepLabel('ego.targetSpeed')).toBe('Ego target speed (m/s)');
    expect(sweepLabel('traffic.vehicles')).toBe('Traffic vehicles');
    expect(sweepLabel('weather.fogDensity')).toBe('Fog density');
  });

  it('a valid draft has no errors', () => {
    expect(campaignDraftErrors(ok)).toEqual({});
  });

  it('says what is wrong at the field, with units, never "max must be greater than min"', () => {
    const errors = campaignDraftErrors({
      ...ok,
      runs: 0,
      maxConcurrent: Number.NaN,
      dims: [
        { path: 'traffic.vehicles', min: 5, max: 4.5, integer: true },
        { path: 'ego.targetSpeed', min: 30, max: 20, integer: false },
        { path: 'ego.targetSpeed', min: 1, max: 20, integer: false },
        { path: 'ego.driver', min: 0, max: 1, integer: false, values: ['calm', 'reckless'] },
      ],
    });
    expect(errors).toEqual({
      runs: 'Runs must be at least 1',
      maxConcurrent: 'At most in parallel must be a number',
      'dims.0.max': 'To must be a whole number',
      'dims.1.max': 'To must be greater than From (30 m/s)',
      'dims.2.path': 'Ego target speed (m/s) is already swept above',
      'dims.2.min': 'From must be at least 5 m/s',
      'dims.3.values': 'Driver profile can only be calm, normal, aggressive (not reckless)',
    });
  });

  it('a grid ignores the run count (it follows from the levels)', () => {
    expect(campaignDraftErrors({ ...ok, strategy: 'grid', runs: 0 })).toEqual({});
  });
});
