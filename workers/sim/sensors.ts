import type { Scenario, WeatherParams } from '~/server/contracts/scenario';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import type { SensorFaultState } from './faults';
import type { Rng } from './prng';

/**
 * A vehicle's sensor suite: turns ground truth into a telemetry frame with seeded noise,
 * random dropouts (null, never a made-up value) and the effects of sensor faults.
 */

export interface Truth {
  t: number;
  x: number;
  y: number;
  z: number;
  yaw: number;
  speed: number;
  accelLon: number;
  accelLat: number;
  yawRate: number;
  throttle: number;
  brake: number;
  steer: number;
  rpm: number;
  engineTemp: number;
  batterySoc: number;
  batteryTemp: number;
  /** bar */
  brakePressure: number;
  tyres: readonly [number, number, number, number];
  laneOffset: number;
  leadDistance: number | null;
  leadTtc: number | null;
  /** m/s², accelerometer RMS (vibration.ts) */
  vibration: number;
}

const M_PER_DEG_LAT = 111_320;

export interface GeoOrigin {
  lat: number;
  lon: number;
  alt: number;
}

type Channels = Pick<
  TelemetryFrame,
  'gnss' | 'speed' | 'accel' | 'yawRate' | 'powertrain' | 'brakes' | 'tires' | 'lane' | 'lead' | 'vibration'
>;

export class SensorSuite {
  private seq = 0;
  private frozen: Partial<Channels> = {};
  private driftE = 0;
  private driftN = 0;
  private readonly driftDir: number;
  private readonly mPerDegLon: number;
  private readonly rainFactor: number;
  private readonly radarRange: number;
  private readonly laneDropout: number;

  constructor(
    private readonly ids: { orgId: string; runId: string; vehicleId: string },
    private readonly cfg: Scenario['sensors'],
    weather: WeatherParams,
    private readonly origin: GeoOrigin,
    private readonly rng: Rng,
  ) {
    this.driftDir = rng.range(0, 2 * Math.PI);
    this.mPerDegLon = M_PER_DEG_LAT * Math.cos((origin.lat * Math.PI) / 180);
    // Rain scatters radar and blurs the lane camera; fog shortens the radar's reach; the camera
    // loses lines more often at night.
    this.rainFactor = 1 + weather.precipitation / 50;
    this.radarRange = 160 * (1 - weather.fog / 200);
    this.laneDropout = (weather.sunAltitude < 0 ? 0.01 : 0) + weather.precipitation / 5000;
  }

  private lost(p: number): boolean {
    return p > 0 && this.rng.next() < p;
  }

  private hold<K extends keyof Channels>(key: K, isStuck: boolean, value: Channels[K]): Channels[K] {
    if (!isStuck) {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- key is one of the fixed Channels names
      delete this.frozen[key];
      return value;
    }
    if (!(key in this.frozen)) this.frozen[key] = value;
    return this.frozen[key] as Channels[K];
  }

  frame(truth: Truth, faults: SensorFaultState, ts: number): TelemetryFrame {
    const n = this.cfg.noise;
    const rng = this.rng;
    // Closures are avoided on this path: it runs once per vehicle per tick.
    const drop = this.cfg.dropoutRate;
    const fd = faults.dropout;

    // GNSS drift: the fix walks away from the truth, faster with higher severity.
    if (faults.gnssDrift > 0) {
      const dt = 1 / this.cfg.rateHz;
      const speed = 0.6 * faults.gnssDrift;
      this.driftE += (Math.cos(this.driftDir) * speed + rng.normal() * 0.3) * dt;
      this.driftN += (Math.sin(this.driftDir) * speed + rng.normal() * 0.3) * dt;
    }
    const east = truth.x + this.driftE + rng.normal() * n.gnssM;
    const north = truth.y + this.driftN + rng.normal() * n.gnssM;
    let gnss: Channels['gnss'] = this.lost(drop + (fd.gnss ?? 0))
      ? { lat: null, lon: null, alt: null }
      : {
          lat: this.origin.lat + north / M_PER_DEG_LAT,
          lon: this.origin.lon + east / this.mPerDegLon,
          alt: this.origin.alt + truth.z + rng.normal() * n.gnssM * 1.5,
        };
    let speed: Channels['speed'] = this.lost(drop + (fd.speed ?? 0))
      ? null
      : Math.max(0, truth.speed + rng.normal() * n.speed);
    const imuLost = this.lost(drop + (fd.imu ?? 0));
    let accel: Channels['accel'] = imuLost
      ? { lon: null, lat: null }
      : { lon: truth.accelLon + rng.normal() * n.accel, lat: truth.accelLat + rng.normal() * n.accel };
    let yawRate: Channels['yawRate'] = imuLost ? null : truth.yawRate + rng.normal() * n.yawRate;
    // The accelerometer is part of the IMU: it drops out and sticks with it.
    let vibration: Channels['vibration'] = imuLost
      ? null
      : Math.max(0, truth.vibration * (1 + rng.normal() * 0.05) + rng.normal() * n.accel * 0.1);
    let powertrain: Channels['powertrain'] = this.lost(drop + (fd.powertrain ?? 0))
      ? { rpm: null, engineTemp: null, batterySoc: null, batteryTemp: null }
      : {
          rpm: Math.max(0, truth.rpm * (1 + rng.normal() * 0.003)),
          engineTemp: truth.engineTemp + rng.normal() * n.temperature,
          batterySoc: Math.min(1, Math.max(0, truth.batterySoc + rng.normal() * 0.001)),
          batteryTemp: truth.batteryTemp + rng.normal() * n.temperature,
        };
    let brakes: Channels['brakes'] = {
      pressure: this.lost(drop + (fd.brakes ?? 0))
        ? null
        : Math.max(0, truth.brakePressure + rng.normal() * n.pressure * 0.2),
    };
    let tires: Channels['tires'] = this.lost(drop + (fd.tires ?? 0))
      ? { pressure: [null, null, null, null] }
      : {
          pressure: [
            truth.tyres[0] + rng.normal() * n.pressure,
            truth.tyres[1] + rng.normal() * n.pressure,
            truth.tyres[2] + rng.normal() * n.pressure,
            truth.tyres[3] + rng.normal() * n.pressure,
          ],
        };
    let lane: Channels['lane'] = {
      offset: this.lost(drop + this.laneDropout + (fd.lane ?? 0))
        ? null
        : truth.laneOffset + rng.normal() * n.laneOffset * this.rainFactor,
    };
    const radarLost = this.lost(drop + (fd.radar ?? 0));
    const seen = truth.leadDistance !== null && truth.leadDistance <= this.radarRange;
    let lead: Channels['lead'] =
      radarLost || !seen
        ? { distance: null, ttc: null }
        : {
            distance: Math.max(0, truth.leadDistance! + rng.normal() * n.radar * this.rainFactor),
            ttc:
              truth.leadTtc === null ? null : Math.max(0, truth.leadTtc * (1 + rng.normal() * 0.02 * this.rainFactor)),
          };

    // A stuck sensor repeats the reading it had when it stuck.
    const stuck = faults.stuck;
    if (stuck.gnss || this.frozen.gnss) gnss = this.hold('gnss', !!stuck.gnss, gnss);
    if (stuck.speed || this.frozen.speed !== undefined) speed = this.hold('speed', !!stuck.speed, speed);
    if (stuck.imu || this.frozen.accel) {
      accel = this.hold('accel', !!stuck.imu, accel);
      yawRate = this.hold('yawRate', !!stuck.imu, yawRate);
      vibration = this.hold('vibration', !!stuck.imu, vibration);
    }
    if (stuck.powertrain || this.frozen.powertrain)
      powertrain = this.hold('powertrain', !!stuck.powertrain, powertrain);
    if (stuck.brakes || this.frozen.brakes) brakes = this.hold('brakes', !!stuck.brakes, brakes);
    if (stuck.tires || this.frozen.tires) tires = this.hold('tires', !!stuck.tires, tires);
    if (stuck.lane || this.frozen.lane) lane = this.hold('lane', !!stuck.lane, lane);
    if (stuck.radar || this.frozen.lead) lead = this.hold('lead', !!stuck.radar, lead);

    return {
      v: 1,
      orgId: this.ids.orgId,
      runId: this.ids.runId,
      vehicleId: this.ids.vehicleId,
      seq: this.seq++,
      t: truth.t,
      ts,
      pose: { x: truth.x, y: truth.y, z: truth.z, yaw: truth.yaw },
      gnss,
      speed,
      accel,
      yawRate,
      control: { throttle: truth.throttle, brake: truth.brake, steer: truth.steer },
      powertrain,
      brakes,
      tires,
      lane,
      lead,
      vibration,
    };
  }
}
