import { telemetryFrameSchema, type TelemetryFrame } from '~/server/contracts/telemetry';
import { parseJson, parseJsonText, validate, type DecodeResult } from '~/server/kafka/messages';
import { writeRow } from './frame-row';

/**
 * Telemetry bytes → a row of readings (frame-row.ts), without building a validated copy of the
 * frame. The contract is telemetryFrameSchema (zod) in server/contracts; the check below is a
 * faster test that accepts only frames zod accepts, with the same values. Whatever it does not
 * accept goes through zod, which decides and words the error. So the verdict is always zod's
 * (tests/unit/features/frame-decoder.test.ts compares the two on valid, mutated and random input),
 * and zod's cost, about 1.5 µs a frame, is paid only by unusual frames.
 */

export interface FrameIdentity {
  orgId: string;
  runId: string;
  vehicleId: string;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
/** A number that is neither NaN nor ±Infinity (x − x is NaN for those). */
const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && x - x === 0;
const isReading = (x: unknown): x is number | null => x === null || isFiniteNumber(x);
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
const isId = (x: unknown): x is string => typeof x === 'string' && x.length > 0;
const inRange = (x: unknown, lo: number, hi: number): x is number => typeof x === 'number' && x >= lo && x <= hi;

/** True when j is certainly a valid frame, as zod would return it; false: ask zod. */
function surelyValid(j: unknown): j is TelemetryFrame {
  if (!isObject(j) || j.v !== 1 || !isId(j.orgId) || !isId(j.runId) || !isId(j.vehicleId)) return false;
  const { seq, t, ts, pose, gnss, accel, control, powertrain, brakes, tires, lane, lead } = j;
  if (!isCount(seq) || !isFiniteNumber(t) || !(t >= 0) || !isCount(ts)) return false;
  if (
    !isObject(pose) ||
    !isFiniteNumber(pose.x) ||
    !isFiniteNumber(pose.y) ||
    !isFiniteNumber(pose.z) ||
    !isFiniteNumber(pose.yaw)
  )
    return false;
  if (!isObject(gnss) || !isReading(gnss.lat) || !isReading(gnss.lon) || !isReading(gnss.alt)) return false;
  if (!isReading(j.speed) || !isReading(j.yawRate)) return false;
  if (!isObject(accel) || !isReading(accel.lon) || !isReading(accel.lat)) return false;
  if (
    !isObject(control) ||
    !inRange(control.throttle, 0, 1) ||
    !inRange(control.brake, 0, 1) ||
    !inRange(control.steer, -1, 1)
  )
    return false;
  if (!isObject(powertrain)) return false;
  const { rpm, engineTemp, batterySoc, batteryTemp } = powertrain;
  if (!isReading(rpm) || !isReading(engineTemp) || !isReading(batterySoc) || !isReading(batteryTemp)) return false;
  if (!isObject(brakes) || !isReading(brakes.pressure)) return false;
  if (!isObject(tires) || !Array.isArray(tires.pressure) || tires.pressure.length !== 4) return false;
  const p = tires.pressure as unknown[];
  if (!isReading(p[0]) || !isReading(p[1]) || !isReading(p[2]) || !isReading(p[3])) return false;
  if (!isObject(lane) || !isReading(lane.offset)) return false;
  if (j.vibration !== undefined && !isReading(j.vibration)) return false;
  return isObject(lead) && isReading(lead.distance) && isReading(lead.ttc);
}

/**
 * Decodes one dl.telemetry message value into row `row` of data. The result and the error text
 * are those of decodeMessage(telemetryFrameSchema, value).
 */
export function decodeFrameRow(value: Buffer | null, data: Float64Array, row: number): DecodeResult<FrameIdentity> {
  return rowOf(parseJson(value), data, row);
}

/** decodeFrameRow for a value already decoded from UTF-8. */
export function decodeFrameText(text: string, data: Float64Array, row: number): DecodeResult<FrameIdentity> {
  return rowOf(parseJsonText(text), data, row);
}

function rowOf(json: DecodeResult<unknown>, data: Float64Array, row: number): DecodeResult<FrameIdentity> {
  if (!json.ok) return json;
  let f: TelemetryFrame;
  if (surelyValid(json.value)) {
    f = json.value;
  } else {
    const checked = validate(telemetryFrameSchema, json.value);
    if (!checked.ok) return checked;
    f = checked.value;
  }
  writeRow(f, data, row);
  return { ok: true, value: { orgId: f.orgId, runId: f.runId, vehicleId: f.vehicleId } };
}
