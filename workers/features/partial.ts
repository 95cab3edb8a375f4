import type { TelemetryFrame } from '~/server/contracts/telemetry';
import { Moments, RateStats, Trend } from './accumulators';

/**
 * Continuous readings watched for a stuck sensor. Control inputs and brake pressure are left out:
 * a driver holding the wheel straight or not braking legitimately repeats the same value.
 */
export const STUCK_CHANNELS = [
  'speed',
  'accel_lon',
  'accel_lat',
  'yaw_rate',
  'rpm',
  'engine_temp',
  'battery_temp',
  'tire_fl',
  'tire_fr',
  'tire_rl',
  'tire_rr',
  'lane_offset',
] as const;

/**
 * Everything a window's features need, in a form that merges: a sliding window is the merge of
 * its tumbling windows' partials, in event-time order.
 */
export class WindowPartial {
  frameCount = 0;
  seqGaps = 0;
  firstSeq = -1;
  lastSeq = -1;
  readonly speed = new Moments();
  readonly accelLon = new Moments();
  readonly accelLat = new Moments();
  readonly yawRate = new Moments();
  readonly throttle = new Moments();
  readonly brake = new Moments();
  readonly brakePressure = new Moments();
  readonly rpm = new Moments();
  readonly engineTemp = new Moments();
  readonly engineTempTrend = new Trend();
  readonly batteryTemp = new Moments();
  readonly tires: readonly [Moments, Moments, Moments, Moments] = [new Moments(), new Moments(), new Moments(), new Moments()];
  readonly tireMin = new Moments();
  readonly tireMinTrend = new Trend();
  readonly leadTtc = new Moments();
  readonly laneOffset = new Moments();
  readonly jerk = new RateStats();
  readonly steerRate = new RateStats();

  /** Frames must come in event-time order (see sortFrames); an exact duplicate is skipped. */
  addFrame(f: TelemetryFrame): void {
    if (this.frameCount > 0 && f.seq === this.lastSeq) return;
    if (this.frameCount > 0 && f.seq > this.lastSeq + 1) this.seqGaps += f.seq - this.lastSeq - 1;
    if (this.frameCount === 0) this.firstSeq = f.seq;
    this.lastSeq = f.seq;
    this.frameCount++;
    const t = f.t;
    this.speed.addNullable(f.speed);
    const lon = f.accel.lon;
    if (lon !== null) {
      this.accelLon.add(lon);
      this.jerk.add(t, lon);
    }
    this.accelLat.addNullable(f.accel.lat);
    this.yawRate.addNullable(f.yawRate);
    this.throttle.add(f.control.throttle);
    this.brake.add(f.control.brake);
    this.steerRate.add(t, f.control.steer);
    this.brakePressure.addNullable(f.brakes.pressure);
    const pt = f.powertrain;
    this.rpm.addNullable(pt.rpm);
    if (pt.engineTemp !== null) {
      this.engineTemp.add(pt.engineTemp);
      this.engineTempTrend.add(t, pt.engineTemp);
    }
    this.batteryTemp.addNullable(pt.batteryTemp);
    const p = f.tires.pressure;
    let lowest = Infinity;
    for (let i = 0; i < 4; i++) {
      const x = p[i];
      if (x === null || x === undefined) continue;
      this.tires[i]!.add(x);
      if (x < lowest) lowest = x;
    }
    if (lowest !== Infinity) {
      this.tireMin.add(lowest);
      this.tireMinTrend.add(t, lowest);
    }
    this.leadTtc.addNullable(f.lead.ttc);
    this.laneOffset.addNullable(f.lane.offset);
  }

  /** Appends a partial whose frames all come after this one's in event time. */
  mergeAfter(o: WindowPartial): void {
    if (o.frameCount === 0) return;
    if (this.frameCount === 0) {
      this.firstSeq = o.firstSeq;
    } else if (o.firstSeq > this.lastSeq + 1) {
      this.seqGaps += o.firstSeq - this.lastSeq - 1;
    }
    this.seqGaps += o.seqGaps;
    this.lastSeq = o.lastSeq;
    this.frameCount += o.frameCount;
    this.speed.merge(o.speed);
    this.accelLon.merge(o.accelLon);
    this.accelLat.merge(o.accelLat);
    this.yawRate.merge(o.yawRate);
    this.throttle.merge(o.throttle);
    this.brake.merge(o.brake);
    this.brakePressure.merge(o.brakePressure);
    this.rpm.merge(o.rpm);
    this.engineTemp.merge(o.engineTemp);
    this.engineTempTrend.merge(o.engineTempTrend);
    this.batteryTemp.merge(o.batteryTemp);
    for (let i = 0; i < 4; i++) this.tires[i]!.merge(o.tires[i]!);
    this.tireMin.merge(o.tireMin);
    this.tireMinTrend.merge(o.tireMinTrend);
    this.leadTtc.merge(o.leadTtc);
    this.laneOffset.merge(o.laneOffset);
    this.jerk.mergeAfter(o.jerk);
    this.steerRate.mergeAfter(o.steerRate);
  }

  /** The monitored channels in STUCK_CHANNELS order. */
  stuckChannelMoments(): readonly Moments[] {
    return [
      this.speed,
      this.accelLon,
      this.accelLat,
      this.yawRate,
      this.rpm,
      this.engineTemp,
      this.batteryTemp,
      this.tires[0],
      this.tires[1],
      this.tires[2],
      this.tires[3],
      this.laneOffset,
    ];
  }
}

function byEventTime(a: TelemetryFrame, b: TelemetryFrame): number {
  return a.t - b.t || a.seq - b.seq;
}

/** Sorts in place by (t, seq); frames usually arrive in order, so the check is the common path. */
export function sortFrames(frames: TelemetryFrame[]): void {
  for (let i = 1; i < frames.length; i++) {
    if (byEventTime(frames[i - 1]!, frames[i]!) > 0) {
      frames.sort(byEventTime);
      return;
    }
  }
}

/** The partial of a set of frames; sorts them in place. */
export function partialOf(frames: TelemetryFrame[]): WindowPartial {
  sortFrames(frames);
  const p = new WindowPartial();
  for (let i = 0; i < frames.length; i++) p.addFrame(frames[i]!);
  return p;
}
