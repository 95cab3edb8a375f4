import type { TelemetryFrame } from '~/server/contracts/telemetry';
import { Moments, RateStats, Trend } from './accumulators';
import { COL, RowBuffer, STRIDE, writeRow } from './frame-row';

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
  readonly tires: readonly [Moments, Moments, Moments, Moments] = [
    new Moments(),
    new Moments(),
    new Moments(),
    new Moments(),
  ];
  readonly tireMin = new Moments();
  readonly tireMinTrend = new Trend();
  readonly leadTtc = new Moments();
  readonly laneOffset = new Moments();
  readonly vibration = new Moments();
  readonly jerk = new RateStats();
  readonly steerRate = new RateStats();

  /** Row `row` of data; rows must come in (t, seq) order (see RowBuffer.sort): a duplicate seq is skipped. */
  addRow(d: Float64Array, row: number): void {
    const o = row * STRIDE;
    const seq = d[o + COL.seq]!;
    if (this.frameCount > 0 && seq === this.lastSeq) return;
    if (this.frameCount > 0 && seq > this.lastSeq + 1) this.seqGaps += seq - this.lastSeq - 1;
    if (this.frameCount === 0) this.firstSeq = seq;
    this.lastSeq = seq;
    this.frameCount++;
    const t = d[o + COL.t]!;
    // NaN is a reading the sensor sent as null: it does not count.
    const speed = d[o + COL.speed]!;
    if (speed === speed) this.speed.add(speed);
    const lon = d[o + COL.accelLon]!;
    if (lon === lon) {
      this.accelLon.add(lon);
      this.jerk.add(t, lon);
    }
    const lat = d[o + COL.accelLat]!;
    if (lat === lat) this.accelLat.add(lat);
    const yaw = d[o + COL.yawRate]!;
    if (yaw === yaw) this.yawRate.add(yaw);
    this.throttle.add(d[o + COL.throttle]!);
    this.brake.add(d[o + COL.brake]!);
    this.steerRate.add(t, d[o + COL.steer]!);
    const bp = d[o + COL.brakePressure]!;
    if (bp === bp) this.brakePressure.add(bp);
    const rpm = d[o + COL.rpm]!;
    if (rpm === rpm) this.rpm.add(rpm);
    const et = d[o + COL.engineTemp]!;
    if (et === et) {
      this.engineTemp.add(et);
      this.engineTempTrend.add(t, et);
    }
    const bt = d[o + COL.batteryTemp]!;
    if (bt === bt) this.batteryTemp.add(bt);
    let lowest = Infinity;
    for (let i = 0; i < 4; i++) {
      const x = d[o + COL.tire0 + i]!;
      if (x !== x) continue;
      this.tires[i]!.add(x);
      if (x < lowest) lowest = x;
    }
    if (lowest !== Infinity) {
      this.tireMin.add(lowest);
      this.tireMinTrend.add(t, lowest);
    }
    const ttc = d[o + COL.leadTtc]!;
    if (ttc === ttc) this.leadTtc.add(ttc);
    const lane = d[o + COL.laneOffset]!;
    if (lane === lane) this.laneOffset.add(lane);
    const vib = d[o + COL.vibration]!;
    if (vib === vib) this.vibration.add(vib);
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
    this.vibration.merge(o.vibration);
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

/** The partial of a window's rows; sorts them in place. */
export function partialOfRows(rows: RowBuffer): WindowPartial {
  rows.sort();
  const p = new WindowPartial();
  for (let i = 0; i < rows.count; i++) p.addRow(rows.data, i);
  return p;
}

/** The partial of a set of parsed frames, in any order. */
export function partialOf(frames: readonly TelemetryFrame[]): WindowPartial {
  const rows = new RowBuffer(frames.length);
  const one = new Float64Array(STRIDE);
  for (const f of frames) {
    writeRow(f, one, 0);
    rows.push(one, 0);
  }
  return partialOfRows(rows);
}
