import {
  weatherPresets,
  type WeatherInput,
  type WeatherParams,
  type WeatherPresetName,
} from '~/server/contracts/scenario';

/**
 * Conversion between DriveLab's CARLA-style weather parameters and OpenSCENARIO 1.0's
 * Environment. The direction OSC → CARLA follows what ScenarioRunner's OpenSCENARIO parser does
 * (cloudiness = 100 − 100 × sun intensity, sun elevation in radians, rain intensity × 100 =
 * precipitation, dense fog below 1 km visual range), so a file we write means the same weather
 * when CARLA runs it, and CARLA's example files mean the same weather when we import them.
 */

export interface OscWeather {
  cloudState: 'free' | 'cloudy' | 'overcast' | 'rainy';
  sunIntensity: number;
  /** radians */
  sunElevation: number;
  sunAzimuth: number;
  /** metres */
  fogVisualRange: number;
  precipitationType: 'dry' | 'rain' | 'snow';
  /** 0..1 */
  precipitationIntensity: number;
  frictionScaleFactor: number;
}

/** Clear air: what CARLA's examples write for "no fog". */
const CLEAR_VISUAL_RANGE = 100_000;
/** Fog density 100 ⇔ 10 m visibility, 0 ⇔ clear air; logarithmic like perceived visibility. */
const FOG_DECADE_PER_PERCENT = 1 / 25;
/** A fully wet road grips about 30 % less than a dry one. */
const WET_FRICTION_LOSS = 0.3;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const round2 = (v: number) => Math.round(v * 100) / 100;

export function toOscWeather(w: WeatherParams): OscWeather {
  const cloudState =
    w.precipitation > 0 ? 'rainy' : w.cloudiness >= 80 ? 'overcast' : w.cloudiness >= 30 ? 'cloudy' : 'free';
  return {
    cloudState,
    sunIntensity: 1 - w.cloudiness / 100,
    sunElevation: (w.sunAltitude * Math.PI) / 180,
    sunAzimuth: 0,
    fogVisualRange: w.fog <= 0 ? CLEAR_VISUAL_RANGE : CLEAR_VISUAL_RANGE * 10 ** (-w.fog * FOG_DECADE_PER_PERCENT),
    precipitationType: w.precipitation > 0 ? 'rain' : 'dry',
    precipitationIntensity: w.precipitation / 100,
    frictionScaleFactor: 1 - (WET_FRICTION_LOSS * w.wetness) / 100,
  };
}

/**
 * The inverse of toOscWeather, rounded to 0.01 so values written by us come back exactly.
 * Without a friction reduction, a rainy file gets wetness = precipitation, as CARLA does; files
 * DriveLab wrote (`frictionIsWetness`) always encode wetness in the friction, even a dry road in rain.
 */
export function fromOscWeather(
  o: Pick<
    OscWeather,
    | 'sunIntensity'
    | 'sunElevation'
    | 'fogVisualRange'
    | 'precipitationType'
    | 'precipitationIntensity'
    | 'frictionScaleFactor'
  >,
  frictionIsWetness = false,
): WeatherParams {
  const precipitation = o.precipitationType === 'dry' ? 0 : round2(clamp(o.precipitationIntensity * 100, 0, 100));
  const fog =
    o.fogVisualRange >= CLEAR_VISUAL_RANGE || o.fogVisualRange <= 0
      ? 0
      : round2(clamp(-Math.log10(o.fogVisualRange / CLEAR_VISUAL_RANGE) / FOG_DECADE_PER_PERCENT, 0, 100));
  const frictionWetness = round2(clamp(((1 - o.frictionScaleFactor) / WET_FRICTION_LOSS) * 100, 0, 100));
  return {
    cloudiness: round2(clamp(100 - o.sunIntensity * 100, 0, 100)),
    precipitation,
    fog,
    wetness: frictionWetness > 0 || frictionIsWetness ? frictionWetness : precipitation,
    sunAltitude: round2(clamp((o.sunElevation * 180) / Math.PI, -90, 90)),
  };
}

/** Preset names by time band and sky, as CARLA spells them (note "MidRainy" vs "MidRain"). */
const presetTable: Record<
  'Noon' | 'Sunset' | 'Night',
  Record<'Clear' | 'Cloudy' | 'Wet' | 'WetCloudy' | 'SoftRain' | 'MidRain' | 'HardRain', WeatherPresetName>
> = {
  Noon: {
    Clear: 'ClearNoon',
    Cloudy: 'CloudyNoon',
    Wet: 'WetNoon',
    WetCloudy: 'WetCloudyNoon',
    SoftRain: 'SoftRainNoon',
    MidRain: 'MidRainyNoon',
    HardRain: 'HardRainNoon',
  },
  Sunset: {
    Clear: 'ClearSunset',
    Cloudy: 'CloudySunset',
    Wet: 'WetSunset',
    WetCloudy: 'WetCloudySunset',
    SoftRain: 'SoftRainSunset',
    MidRain: 'MidRainSunset',
    HardRain: 'HardRainSunset',
  },
  Night: {
    Clear: 'ClearNight',
    Cloudy: 'CloudyNight',
    Wet: 'WetNight',
    WetCloudy: 'WetCloudyNight',
    SoftRain: 'SoftRainNight',
    MidRain: 'MidRainyNight',
    HardRain: 'HardRainNight',
  },
};

/** The CARLA preset whose name describes these conditions; a label, the numbers stay exact. */
export function classifyWeatherPreset(w: WeatherParams): WeatherPresetName {
  const band = w.sunAltitude <= 0 ? 'Night' : w.sunAltitude < 30 ? 'Sunset' : 'Noon';
  const sky =
    w.precipitation >= 80
      ? 'HardRain'
      : w.precipitation >= 45
        ? 'MidRain'
        : w.precipitation > 0
          ? 'SoftRain'
          : w.wetness >= 25
            ? w.cloudiness >= 35
              ? 'WetCloudy'
              : 'Wet'
            : w.cloudiness >= 35
              ? 'Cloudy'
              : 'Clear';
  return presetTable[band][sky];
}

/** Values closer than this are the same value after a trip through the file's precision. */
const SAME = 0.05;

/** A weather input naming `preset`, with explicit values only where the conditions differ from it. */
export function weatherInputFor(params: WeatherParams, preset: WeatherPresetName): WeatherInput {
  const base = weatherPresets[preset];
  const input: WeatherInput = { preset };
  for (const k of ['cloudiness', 'precipitation', 'fog', 'wetness', 'sunAltitude'] as const) {
    if (Math.abs(params[k] - base[k]) > SAME) input[k] = params[k];
  }
  return input;
}
