import type { SimEvent } from '~/server/contracts/events';
import type { RunKpis } from '~/server/contracts/run-status';
import {
  resolveWeather,
  scenarioSchema,
  type Scenario,
  type ScenarioInput,
  type WeatherParams,
} from '~/server/contracts/scenario';
import type { TelemetryFrame } from '~/server/contracts/telemetry';
import { blueprintParams, npcBlueprintMix } from '~/server/scenarios/blueprints';
import { LongitudinalController, stepBody, type ForceContext } from './dynamics';
import { driverProfilesParams, idmAccel, MAX_DECEL, mobilAccepts, npcDriver } from './driver';
import { faultEffects, faultEnd, scheduleFaults, type ScheduledFault } from './faults';
import { computeKpis, type EgoTally } from './kpis';
import { getMap } from '~/server/maps';
import { knockDown, spawnPedestrians, stepPedestrians, type Pedestrian } from './pedestrians';
import { createRng, type Rng } from './prng';
import type { Crosswalk, Lane, RoadMap } from '~/server/maps/road-network';
import { SensorSuite } from './sensors';
import { brakeEffectiveness, initialHealth, rollingFactor, tyrePull, updateHealth } from './thermal';
import { SignalController } from './traffic-lights';
import type { SimVehicle } from './vehicle';

export interface SimOptions {
  orgId: string;
  runId: string;
  /** Wall clock for `ts` (epoch ms); tests inject a fixed one to compare streams. */
  clock?: () => number;
}

export interface StepResult {
  frames: TelemetryFrame[];
  events: SimEvent[];
}

/** Ground truth of one vehicle, for tests and debugging views (never published). */
export interface VehicleTruth {
  id: string;
  laneId: string;
  s: number;
  d: number;
  x: number;
  y: number;
  v: number;
  accel: number;
  brakeTemp: number;
  brakeEffectiveness: number;
  engineTemp: number;
  batteryTemp: number;
  tyres: readonly number[];
}

export interface Simulation {
  readonly scenario: Scenario;
  readonly map: RoadMap;
  readonly rateHz: number;
  readonly totalSteps: number;
  /** simulation time of the next step */
  readonly t: number;
  readonly done: boolean;
  /** 0..1 */
  readonly progress: number;
  /** Advances one sensor period: the frames of every vehicle at the current time, and what happened. */
  step(): StepResult;
  /** Ends the run early (cancel or failure): closes open faults and emits run_finished. */
  stop(reason: 'cancelled' | 'failed'): StepResult;
  kpis(): RunKpis;
  truth(): VehicleTruth[];
}

/** Events thresholds. */
export const NEAR_MISS_TTC = 1.5;
export const HARD_BRAKE_DECEL = 4;
const PHYSICS_DT = 0.02;
const BRAKE_PRESSURE_MAX_BAR = 150;

export function createSimulation(input: Scenario | ScenarioInput, opts: SimOptions): Simulation {
  const scenario = scenarioSchema.parse(input);
  return new Engine(scenario, opts);
}

/** Runs a whole scenario as fast as possible, yielding each step; returns the KPIs. */
export function* runScenario(input: Scenario | ScenarioInput, opts: SimOptions): Generator<StepResult, RunKpis, void> {
  const sim = createSimulation(input, opts);
  while (!sim.done) yield sim.step();
  return sim.kpis();
}

class Engine implements Simulation {
  readonly map: RoadMap;
  readonly rateHz: number;
  readonly totalSteps: number;
  private stepIndex = 0;
  private finished = false;
  private readonly dt: number;
  private readonly clock: () => number;
  private readonly weather: WeatherParams;
  private readonly ambient: number;
  private readonly mu: number;
  private readonly signals: SignalController;
  private readonly vehicles: SimVehicle[] = [];
  private readonly pedestrians: Pedestrian[];
  private readonly pedRng: Rng;
  private readonly faults: ScheduledFault[];
  private readonly contacts = new Set<string>();
  private occupancy = new Map<Lane, SimVehicle[]>();
  private pedsByCrosswalk = new Map<Crosswalk, Pedestrian[]>();
  private readonly lanesCrossing = new Map<Crosswalk, { lane: Lane; s: number }[]>();
  private frameCount = 0;
  private readonly tally: EgoTally;
  private readonly fleet = { collisions: 0, nearMisses: 0, hardBrakes: 0 };

  constructor(
    readonly scenario: Scenario,
    private readonly opts: SimOptions,
  ) {
    this.map = getMap(scenario.map);
    this.rateHz = scenario.sensors.rateHz;
    this.dt = 1 / this.rateHz;
    this.totalSteps = Math.max(1, Math.round(scenario.durationS * this.rateHz));
    this.clock = opts.clock ?? Date.now;
    this.weather = resolveWeather(scenario.weather);
    this.ambient =
      20 -
      this.weather.precipitation / 20 -
      (this.weather.sunAltitude < 0 ? 5 : 0) +
      (this.weather.sunAltitude > 30 ? 4 : 0);
    this.mu = 1 - (0.3 * this.weather.wetness) / 100 - (0.1 * this.weather.precipitation) / 100;
    this.signals = new SignalController(this.map);
    this.faults = scheduleFaults(scenario.faults);
    for (const l of this.map.laneList) {
      for (const c of l.crossings)
        this.lanesCrossing.set(c.crosswalk, [...(this.lanesCrossing.get(c.crosswalk) ?? []), { lane: l, s: c.s }]);
    }
    this.spawnVehicles();
    this.pedRng = createRng(scenario.seed, 'pedestrians');
    this.pedestrians = spawnPedestrians(
      this.map,
      scenario.traffic.pedestrians,
      createRng(scenario.seed, 'pedestrian-spawn'),
    );
    this.tally = {
      collisionsVehicle: 0,
      collisionsPedestrian: 0,
      redLight: 0,
      laneInvasion: 0,
      hardBrake: 0,
      nearMiss: 0,
      minTtc: null,
      distanceM: 0,
      routeLengthM: scenario.ego.route.lengthM ?? scenario.ego.targetSpeed * scenario.durationS * 0.8,
      elapsedS: 0,
    };
  }

  get t(): number {
    return this.stepIndex * this.dt;
  }
  get done(): boolean {
    return this.finished;
  }
  get progress(): number {
    return Math.min(1, this.stepIndex / this.totalSteps);
  }

  // ---------------------------------------------------------------- setup

  private makeVehicle(
    id: string,
    index: number,
    isEgo: boolean,
    blueprint: keyof typeof blueprintParams,
    lane: Lane,
    s: number,
    rng: Rng,
  ): SimVehicle {
    const params = blueprintParams[blueprint];
    const driver = isEgo
      ? driverProfilesParams[this.scenario.ego.driver]
      : npcDriver(this.scenario.traffic.aggressiveness, rng.next());
    const p = lane.poly.sample(s);
    const desiredSpeed = isEgo
      ? this.scenario.ego.targetSpeed
      : lane.speedLimit * driver.speedFactor * rng.range(0.92, 1.05);
    const v0 = Math.min(desiredSpeed, lane.curveSpeed[lane.poly.segmentAt(s)] ?? lane.speedLimit) * 0.8;
    const veh: SimVehicle = {
      id,
      index,
      isEgo,
      params,
      driver,
      body: {
        x: p.x,
        y: p.y,
        z: p.z,
        yaw: p.heading,
        v: v0,
        accel: 0,
        latAccel: 0,
        yawRate: 0,
        gear: 1,
        rpm: params.idleRpm,
      },
      health: initialHealth(params, this.ambient, rng.normal()),
      lane,
      s,
      d: 0,
      seg: p.seg,
      plan: [],
      desiredSpeed,
      ctrl: new LongitudinalController(),
      act: { throttle: 0, brake: 0, steer: 0 },
      sensors: new SensorSuite(
        { orgId: this.opts.orgId, runId: this.opts.runId, vehicleId: id },
        this.scenario.sensors,
        this.weather,
        this.map.origin,
        createRng(this.scenario.seed, `sensors:${id}`),
      ),
      rng,
      faults: this.faults.filter((f) => f.vehicleId === id),
      wander: 0,
      laneChangeAllowedAt: 3 + rng.range(0, 3),
      stoppedUntil: -1,
      signalDecision: new Map(),
      turnIndex: 0,
      distance: 0,
      lead: null,
      invading: false,
      nearMiss: false,
      hardBraking: false,
    };
    this.ensurePlan(veh);
    return veh;
  }

  private spawnVehicles(): void {
    const sc = this.scenario;
    const spawn = sc.ego.spawn?.laneId ? { laneId: sc.ego.spawn.laneId, s: sc.ego.spawn.s } : this.map.egoSpawn;
    const egoLane = this.map.lanes.get(spawn.laneId);
    if (!egoLane) throw new Error(`ego spawn lane "${spawn.laneId}" does not exist on map ${sc.map}`);
    const egoS = Math.min(spawn.s, egoLane.length - 1);
    this.vehicles.push(
      this.makeVehicle('ego', 0, true, sc.ego.blueprint, egoLane, egoS, createRng(sc.seed, 'driver:ego')),
    );

    const rng = createRng(sc.seed, 'traffic-spawn');
    const candidates = this.map.laneList.filter((l) => l.kind === 'road' && l.length > 40);
    const totalLen = candidates.reduce((a, l) => a + l.length, 0);
    const weightSum = npcBlueprintMix.reduce((a, [, w]) => a + w, 0);
    for (let i = 0; i < sc.traffic.vehicles; i++) {
      let r = rng.next() * weightSum;
      let bp = npcBlueprintMix[0]![0];
      for (const [name, w] of npcBlueprintMix) {
        if ((r -= w) < 0) {
          bp = name;
          break;
        }
      }
      let placed: { lane: Lane; s: number } | null = null;
      for (let attempt = 0; attempt < 200 && !placed; attempt++) {
        let x = rng.next() * totalLen;
        let lane = candidates[0]!;
        for (const l of candidates) {
          lane = l;
          if ((x -= l.length) < 0) break;
        }
        const s = rng.range(8, lane.length - 15);
        // Room scales with the lane's speed; the requirement relaxes if the map is crowded.
        const need = (lane.speedLimit * 1.6 + 8) / (1 + Math.floor(attempt / 50));
        const clear = this.vehicles.every((o) => o.lane !== lane || Math.abs(o.s - s) > need);
        if (clear) placed = { lane, s };
      }
      if (!placed)
        throw new Error(`cannot place ${sc.traffic.vehicles} traffic vehicles on map ${sc.map}: it is too crowded`);
      this.vehicles.push(
        this.makeVehicle(`npc-${i}`, i + 1, false, bp, placed.lane, placed.s, createRng(sc.seed, `driver:npc-${i}`)),
      );
    }
  }

  // ---------------------------------------------------------------- routing

  private chooseNext(v: SimVehicle, lane: Lane): Lane {
    if (lane.next.length === 1) return lane.next[0]!;
    if (v.isEgo) {
      const prefs = this.scenario.ego.route.turns;
      const want = prefs.length ? prefs[v.turnIndex % prefs.length]! : 'straight';
      v.turnIndex++;
      const i = lane.turns.indexOf(want);
      const j = lane.turns.indexOf('straight');
      return lane.next[i >= 0 ? i : j >= 0 ? j : 0]!;
    }
    const weight = (t: string) => (t === 'straight' ? 0.6 : t === 'right' ? 0.25 : 0.15);
    const total = lane.turns.reduce((a, t) => a + weight(t), 0);
    let r = v.rng.next() * total;
    for (let i = 0; i < lane.next.length; i++) if ((r -= weight(lane.turns[i]!)) < 0) return lane.next[i]!;
    return lane.next[lane.next.length - 1]!;
  }

  private ensurePlan(v: SimVehicle): void {
    let ahead = 0;
    for (const l of v.plan) ahead += l.length;
    while (v.plan.length < 2 || ahead < 250) {
      const last = v.plan.length ? v.plan[v.plan.length - 1]! : v.lane;
      const n = this.chooseNext(v, last);
      v.plan.push(n);
      ahead += n.length;
      if (v.plan.length > 12) break;
    }
  }

  // ---------------------------------------------------------------- perception

  private buildOccupancy(): void {
    const occ = new Map<Lane, SimVehicle[]>();
    for (const v of this.vehicles) {
      const list = occ.get(v.lane);
      if (list) list.push(v);
      else occ.set(v.lane, [v]);
    }
    for (const list of occ.values()) if (list.length > 1) list.sort((a, b) => a.s - b.s || a.index - b.index);
    this.occupancy = occ;
    const peds = new Map<Crosswalk, Pedestrian[]>();
    for (const p of this.pedestrians) {
      if (p.phase !== 'crossing') continue;
      const list = peds.get(p.crosswalk);
      if (list) list.push(p);
      else peds.set(p.crosswalk, [p]);
    }
    this.pedsByCrosswalk = peds;
  }

  private pedestrianInConflict(cw: Crosswalk, u: number): boolean {
    const list = this.pedsByCrosswalk.get(cw);
    if (!list) return false;
    for (const p of list) {
      const rel = (u - p.u) * p.dir;
      // Near the lane, or walking towards it and about to arrive.
      if (Math.abs(u - p.u) < 2.5 || (rel > 0 && rel < 2.5 + p.speed * 3)) return true;
    }
    return false;
  }

  /** Nearest vehicle ahead on a lane (from s) or on its first successor; for MOBIL. */
  private neighbourAhead(lane: Lane, s: number, self: SimVehicle): { v: SimVehicle; gap: number } | null {
    const here = this.occupancy.get(lane);
    if (here)
      for (const o of here)
        if (o !== self && o.s > s) return { v: o, gap: o.s - s - (o.params.length + self.params.length) / 2 };
    const next = lane.next[0];
    const there = next ? this.occupancy.get(next) : undefined;
    if (there && there[0] && there[0] !== self)
      return { v: there[0], gap: lane.length - s + there[0].s - (there[0].params.length + self.params.length) / 2 };
    return null;
  }

  private neighbourBehind(lane: Lane, s: number, self: SimVehicle): { v: SimVehicle; gap: number } | null {
    const here = this.occupancy.get(lane);
    if (!here) return null;
    for (let i = here.length - 1; i >= 0; i--) {
      const o = here[i]!;
      if (o !== self && o.s < s) return { v: o, gap: s - o.s - (o.params.length + self.params.length) / 2 };
    }
    return null;
  }

  /**
   * Looks along the planned path for what the driver must respond to: the lead vehicle,
   * vehicles merging ahead, pedestrians on crosswalks, stop lines. Returns the wanted acceleration.
   */
  private decideAccel(v: SimVehicle, t: number): number {
    const d = v.driver;
    const speed = v.body.v;
    const halfLen = v.params.length / 2;
    const range = Math.max(80, speed * 7);
    const lanes = [v.lane, ...v.plan];
    // The open-road speed, lowered so the driver can slow in time for curves and limits ahead.
    let v0 = v.desiredSpeed;
    let acc = Infinity;
    v.lead = null;
    let base = -v.s;
    let leadFound = false;
    for (let i = 0; i < lanes.length && base < range; i++) {
      const L = lanes[i]!;
      // Curves and lower limits ahead.
      const cum = L.poly.cum;
      const sf = v.isEgo ? 1 : d.speedFactor;
      for (let k = i === 0 ? v.seg + 1 : 0; k < cum.length; k++) {
        const pos = base + cum[k]!;
        if (pos < 0) continue;
        if (pos > range) break;
        const cs = L.curveSpeed[k]! * sf;
        if (cs < v0) v0 = Math.min(v0, Math.sqrt(cs * cs + 2 * d.b * Math.max(0, pos - halfLen)));
      }
      if (!leadFound) {
        const occ = this.occupancy.get(L);
        if (occ) {
          for (const o of occ) {
            if (o === v) continue;
            const pos = base + o.s;
            if (pos <= 0 || (i === 0 && o.s <= v.s)) continue;
            if (pos > range) break;
            this.setLead(v, o, pos);
            leadFound = true;
            break;
          }
        }
        // Just after a diverge the branches still overlap: a vehicle that took the other branch
        // is still physically ahead.
        const from = i === 0 ? v.lane.prev[0] : lanes[i - 1];
        if (from && from.next.length > 1) {
          for (const sib of from.next) {
            if (sib === L) continue;
            const so = this.occupancy.get(sib);
            if (!so) continue;
            for (const o of so) {
              const pos = base + o.s;
              if (o.s > o.params.length + 6 || pos <= 0 || (i === 0 && o.s <= v.s)) continue;
              if (!v.lead || pos - (v.params.length + o.params.length) / 2 < v.lead.gap) this.setLead(v, o, pos);
              leadFound = true;
            }
          }
        }
      }
      // Zipper merge: whoever is nearer the merge point goes first.
      if (i >= 1 && L.prev.length > 1 && base < 90) {
        for (const P of L.prev) {
          if (P === lanes[i - 1]) continue;
          const occ = this.occupancy.get(P);
          if (!occ) continue;
          for (const o of occ) {
            const remaining = P.length - o.s;
            if (remaining < base || (remaining === base && o.index < v.index)) {
              if (base - remaining < 90)
                acc = Math.min(
                  acc,
                  idmAccel(
                    d,
                    speed,
                    v.desiredSpeed,
                    base - remaining - (v.params.length + o.params.length) / 2,
                    o.body.v,
                  ),
                );
            }
          }
        }
      }
      for (const c of L.crossings) {
        const pos = base + c.s;
        if (pos <= halfLen * 0.5 || pos > range) continue;
        if (this.pedestrianInConflict(c.crosswalk, c.u))
          acc = Math.min(acc, idmAccel(d, speed, v.desiredSpeed, pos - halfLen - 2.5, 0));
      }
      const stopPos = base + L.length;
      if (L.signalId && stopPos > 0 && stopPos < range) {
        const state = this.signals.state(L.signalId, t);
        const gapToLine = stopPos - halfLen - 1;
        let decision = v.signalDecision.get(L.id);
        if (state === 'green') {
          if (decision === 'stop') v.signalDecision.delete(L.id);
          decision = undefined;
          // Keep the box clear: no entering while crossing traffic is inside or the exit is jammed.
          const into = lanes[i + 1];
          const exit = lanes[i + 2];
          const canStop = gapToLine > (speed * speed) / (2 * d.b);
          if (into && canStop && gapToLine < 40) {
            const busy = into.conflicts.some((c) => (this.occupancy.get(c)?.length ?? 0) > 0);
            const exitOcc = exit ? this.occupancy.get(exit) : undefined;
            const jammed = !!exitOcc && exitOcc.some((o) => o.s < o.params.length + 4 && o.body.v < 2);
            if (busy || jammed) acc = Math.min(acc, idmAccel(d, speed, v.desiredSpeed, gapToLine, 0));
          }
        } else {
          if (decision === undefined) {
            const need = gapToLine > 0.5 ? (speed * speed) / (2 * gapToLine) : Infinity;
            if (state === 'amber') decision = need > d.amberDecel ? 'go' : 'stop';
            else
              decision =
                this.signals.redFor(L.signalId, t) < 2 && need > 1.5 && v.rng.chance(d.redRun)
                  ? 'go'
                  : need > MAX_DECEL
                    ? 'go'
                    : 'stop';
            v.signalDecision.set(L.id, decision);
          }
          if (decision === 'stop') acc = Math.min(acc, idmAccel(d, speed, v.desiredSpeed, gapToLine, 0));
        }
      }
      base += L.length;
    }
    const lead = v.lead as SimVehicle['lead'];
    if (lead) acc = Math.min(acc, idmAccel(d, speed, v0, lead.gap, lead.speed));
    acc = Math.min(acc, idmAccel(d, speed, v0, Infinity, 0));
    return acc;
  }

  private setLead(v: SimVehicle, o: SimVehicle, pos: number): void {
    const gap = Math.max(0, pos - (v.params.length + o.params.length) / 2);
    const closing = v.body.v - o.body.v;
    v.lead = { id: o.id, gap, speed: o.body.v, ttc: closing > 0.1 ? gap / closing : null };
  }

  /** MOBIL lane change between parallel lanes; switches the tracked lane, the steering does the rest. */
  private considerLaneChange(v: SimVehicle, t: number): void {
    const L = v.lane;
    if (t < v.laneChangeAllowedAt || v.body.v < 4 || v.s < 15 || v.s > L.length - 60) return;
    const d = v.driver;
    const accOn = (lane: Lane, s: number, who: SimVehicle, vSelf: number, skip?: SimVehicle) => {
      let a = this.neighbourAhead(lane, s, who);
      if (a && a.v === skip) a = null;
      return idmAccel(who.driver, vSelf, who.desiredSpeed, a ? a.gap : Infinity, a ? a.v.body.v : 0);
    };
    const meNow = accOn(L, v.s, v, v.body.v);
    const oldF = this.neighbourBehind(L, v.s, v);
    let best: { lane: Lane; s: number } | null = null;
    for (const [target, bias] of [
      [L.left, -0.15],
      [L.right, 0.15],
    ] as const) {
      if (!target) continue;
      const s = (v.s * target.length) / L.length;
      if (s > target.length - 60) continue;
      const newA = this.neighbourAhead(target, s, v);
      const newF = this.neighbourBehind(target, s, v);
      if ((newA && newA.gap < 2) || (newF && newF.gap < 2)) continue;
      const meAfter = idmAccel(d, v.body.v, v.desiredSpeed, newA ? newA.gap : Infinity, newA ? newA.v.body.v : 0);
      const nfNow = newF ? accOn(target, newF.v.s, newF.v, newF.v.body.v) : 0;
      const nfAfter = newF ? idmAccel(newF.v.driver, newF.v.body.v, newF.v.desiredSpeed, newF.gap, v.body.v) : 0;
      const ofNow = oldF ? idmAccel(oldF.v.driver, oldF.v.body.v, oldF.v.desiredSpeed, oldF.gap, v.body.v) : 0;
      const ofAfter = oldF ? accOn(L, oldF.v.s, oldF.v, oldF.v.body.v, v) : 0;
      if (
        mobilAccepts(d, {
          meNow,
          meAfter,
          oldFollowerNow: ofNow,
          oldFollowerAfter: ofAfter,
          newFollowerNow: nfNow,
          newFollowerAfter: nfAfter,
          bias,
        })
      ) {
        best = { lane: target, s };
        break;
      }
    }
    if (!best) return;
    v.lane = best.lane;
    v.s = best.s;
    v.seg = best.lane.poly.segmentAt(best.s);
    v.plan = [];
    v.signalDecision.clear();
    this.ensurePlan(v);
    v.laneChangeAllowedAt = t + 6;
    // Keep the per-lane lists current for the vehicles deciding after this one.
    this.buildOccupancy();
  }

  /** Pure pursuit towards a point on the planned path, offset by the driver's wander. */
  private steer(v: SimVehicle): number {
    const p = v.params;
    const ld = Math.min(30, Math.max(5, 3 + 0.55 * v.body.v));
    let s = v.s + ld;
    let lane = v.lane;
    let i = 0;
    while (s > lane.length && i < v.plan.length) {
      s -= lane.length;
      lane = v.plan[i++]!;
    }
    const tp = lane.poly.sample(Math.min(s, lane.length), lane === v.lane ? v.seg : 0);
    const tx = tp.x - Math.sin(tp.heading) * v.wander;
    const ty = tp.y + Math.cos(tp.heading) * v.wander;
    const dx = tx - v.body.x;
    const dy = ty - v.body.y;
    const alpha = Math.atan2(dy, dx) - v.body.yaw;
    const dist = Math.hypot(dx, dy);
    const delta = Math.atan2(2 * p.wheelbase * Math.sin(alpha), Math.max(dist, 1)) + tyrePull(p, v.health);
    return Math.max(-1, Math.min(1, delta / p.maxSteer));
  }

  // ---------------------------------------------------------------- the tick

  step(): StepResult {
    if (this.finished) return { frames: [], events: [] };
    const t = this.t;
    const ts = Math.round(this.clock());
    const events: SimEvent[] = [];
    const frames: TelemetryFrame[] = [];
    const ev = this.eventFactory(events, ts);

    if (this.stepIndex === 0) {
      ev(t, null, 'run_started', {
        map: this.scenario.map,
        seed: this.scenario.seed,
        durationS: this.scenario.durationS,
        rateHz: this.rateHz,
        vehicles: this.vehicles.length,
      });
    }
    for (const f of this.faults) {
      if (!f.started && t >= f.spec.startS) {
        f.started = true;
        ev(t, f.vehicleId, 'fault_start', this.faultData(f));
      }
      if (f.started && !f.ended && t >= faultEnd(f.spec)) {
        f.ended = true;
        ev(t, f.vehicleId, 'fault_end', this.faultData(f));
      }
    }

    // Decide: every driver looks at the same snapshot of the world.
    this.buildOccupancy();
    const lcPeriod = this.rateHz;
    for (const v of this.vehicles) if ((this.stepIndex + v.index * 7) % lcPeriod === 0) this.considerLaneChange(v, t);
    const effects = this.vehicles.map((v) => faultEffects(v.faults, t));
    const ctxs: ForceContext[] = [];
    for (const v of this.vehicles) {
      const fx = effects[v.index]!;
      const grade = v.lane.poly.sample(v.s, v.seg).grade;
      const ctx: ForceContext = {
        grade,
        mu: this.mu,
        brakeEffectiveness: brakeEffectiveness(v.health, fx.loads),
        rollingFactor: rollingFactor(v.params, v.health),
      };
      ctxs.push(ctx);
      let want = this.decideAccel(v, t);
      if (t < v.stoppedUntil) want = -MAX_DECEL;
      const pedals = v.ctrl.command(v.params, v.body, want, ctx, this.dt);
      v.act.throttle = pedals.throttle;
      v.act.brake = pedals.brake;
      // Lateral wander: Ornstein-Uhlenbeck with a 4 s time constant.
      const tau = 4;
      v.wander += (-v.wander / tau) * this.dt + v.driver.wander * Math.sqrt((2 / tau) * this.dt) * v.rng.normal();
      v.act.steer = this.steer(v);
    }

    // Sense: frames carry the state at t and the controls being applied from t.
    for (const v of this.vehicles) {
      const laneW = v.lane.width;
      const rel = v.d - Math.round(v.d / laneW) * laneW;
      frames.push(
        v.sensors.frame(
          {
            t,
            x: v.body.x,
            y: v.body.y,
            z: v.body.z,
            yaw: v.body.yaw,
            speed: v.body.v,
            accelLon: v.body.accel,
            accelLat: v.body.latAccel,
            yawRate: v.body.yawRate,
            throttle: v.act.throttle,
            brake: v.act.brake,
            steer: v.act.steer,
            rpm: v.body.rpm,
            engineTemp: v.health.engineTemp,
            batterySoc: v.health.batterySoc,
            batteryTemp: v.health.batteryTemp,
            brakePressure: v.act.brake * BRAKE_PRESSURE_MAX_BAR,
            tyres: v.health.tyres,
            laneOffset: rel,
            leadDistance: v.lead ? v.lead.gap : null,
            leadTtc: v.lead ? v.lead.ttc : null,
          },
          effects[v.index]!.sensors,
          ts,
        ),
      );
    }
    this.frameCount += frames.length;

    // Integrate.
    const tNext = (this.stepIndex + 1) * this.dt;
    const sub = Math.ceil(this.dt / PHYSICS_DT - 1e-9);
    const h = this.dt / sub;
    for (const v of this.vehicles) {
      const ctx = ctxs[v.index]!;
      let brakeEnergy = 0;
      let power = 0;
      const x0 = v.body.x;
      const y0 = v.body.y;
      for (let k = 0; k < sub; k++) {
        const r = stepBody(v.params, v.body, v.act, ctx, h);
        brakeEnergy += r.brakeEnergy;
        power += r.tractionPower / sub;
      }
      v.distance += Math.hypot(v.body.x - x0, v.body.y - y0);
      updateHealth(
        v.params,
        v.health,
        effects[v.index]!.loads,
        { tractionPower: power, brakeEnergy, v: v.body.v, ambient: this.ambient },
        this.dt,
      );
      this.locate(v, tNext, ev);
    }
    stepPedestrians(this.pedestrians, {
      t: tNext,
      dt: this.dt,
      signals: this.signals,
      aggressiveness: this.scenario.traffic.aggressiveness,
      rng: this.pedRng,
      timeToArrival: this.timeToArrivalFn,
      blocked: this.blockedFn,
    });
    this.detect(tNext, ev);

    this.stepIndex++;
    if (this.stepIndex >= this.totalSteps) this.finish('completed', ev);
    return { frames, events };
  }

  stop(reason: 'cancelled' | 'failed'): StepResult {
    if (this.finished) return { frames: [], events: [] };
    const events: SimEvent[] = [];
    this.finish(reason, this.eventFactory(events, Math.round(this.clock())));
    return { frames: [], events };
  }

  private finish(reason: 'completed' | 'cancelled' | 'failed', ev: EventSink): void {
    const t = this.t;
    for (const f of this.faults) {
      if (f.started && !f.ended) {
        f.ended = true;
        ev(t, f.vehicleId, 'fault_end', this.faultData(f));
      }
    }
    const ego = this.vehicles[0]!;
    this.tally.distanceM = ego.distance;
    this.tally.elapsedS = t;
    ev(t, null, 'run_finished', { reason, frames: this.frameCount });
    this.finished = true;
  }

  kpis(): RunKpis {
    const ego = this.vehicles[0]!;
    return computeKpis({ ...this.tally, distanceM: ego.distance, elapsedS: this.t }, { ...this.fleet });
  }

  truth(): VehicleTruth[] {
    return this.vehicles.map((v) => ({
      id: v.id,
      laneId: v.lane.id,
      s: v.s,
      d: v.d,
      x: v.body.x,
      y: v.body.y,
      v: v.body.v,
      accel: v.body.accel,
      brakeTemp: v.health.brakeTemp,
      brakeEffectiveness: brakeEffectiveness(v.health, faultEffects(v.faults, this.t).loads),
      engineTemp: v.health.engineTemp,
      batteryTemp: v.health.batteryTemp,
      tyres: [...v.health.tyres],
    }));
  }

  // ---------------------------------------------------------------- bookkeeping

  private faultData(f: ScheduledFault) {
    return {
      faultType: f.spec.type,
      faultIndex: f.index,
      severity: f.spec.severity,
      ...(f.sensor ? { sensor: f.sensor } : {}),
    };
  }

  private eventFactory(events: SimEvent[], ts: number): EventSink {
    const { orgId, runId } = this.opts;
    return (t, vehicleId, type, data) => {
      events.push({ v: 1, orgId, runId, vehicleId, t, ts, type, data } as SimEvent);
    };
  }

  /** Projects the new position onto the lane graph, moving on to the next lane past a lane end. */
  private locate(v: SimVehicle, t: number, ev: EventSink): void {
    let proj = v.lane.poly.project(v.body.x, v.body.y, v.seg);
    let guard = 0;
    while (proj.s >= v.lane.length && guard++ < 4) {
      const L = v.lane;
      if (L.signalId && this.signals.state(L.signalId, t) === 'red' && v.body.v > 0.5) {
        ev(t, v.id, 'red_light_violation', { signalId: L.signalId, speed: v.body.v, at: { x: v.body.x, y: v.body.y } });
        if (v.isEgo) this.tally.redLight++;
      }
      v.signalDecision.delete(L.id);
      v.lane = v.plan.shift() ?? L.next[0]!;
      this.ensurePlan(v);
      proj = v.lane.poly.project(v.body.x, v.body.y, 0);
    }
    v.s = Math.max(0, proj.s);
    v.d = proj.d;
    v.seg = proj.seg;
    const z = v.lane.poly.sample(v.s, v.seg).z;
    v.body.z = z;
  }

  private readonly timeToArrivalFn = (cw: Crosswalk): number => this.timeToArrival(cw);
  /** Pedestrians do not walk into a vehicle standing on the crosswalk. */
  private readonly blockedFn = (x: number, y: number): boolean => {
    for (const v of this.vehicles) if (pointInBox(v, x, y, 0.8)) return true;
    return false;
  };

  private timeToArrival(cw: Crosswalk): number {
    let best = Infinity;
    for (const { lane, s } of this.lanesCrossing.get(cw) ?? []) {
      const occ = this.occupancy.get(lane);
      if (occ)
        for (const o of occ) if (o.s < s && s - o.s < 150) best = Math.min(best, (s - o.s) / Math.max(o.body.v, 0.5));
      for (const p of lane.prev) {
        const po = this.occupancy.get(p);
        if (po)
          for (const o of po)
            if (p.length - o.s + s < 150) best = Math.min(best, (p.length - o.s + s) / Math.max(o.body.v, 0.5));
      }
    }
    return best;
  }

  private detect(t: number, ev: EventSink): void {
    const vs = this.vehicles;
    for (const v of vs) {
      // Lane invasion: the body crosses a marking (junction boxes have none).
      if (v.lane.kind !== 'junction') {
        const w = v.lane.width;
        const rel = v.d - Math.round(v.d / w) * w;
        const edge = Math.abs(rel) + v.params.width / 2;
        if (!v.invading && edge > w / 2) {
          v.invading = true;
          ev(t, v.id, 'lane_invasion', {
            laneId: v.lane.id,
            side: rel > 0 ? 'left' : 'right',
            at: { x: v.body.x, y: v.body.y },
          });
          if (v.isEgo) this.tally.laneInvasion++;
        } else if (v.invading && edge < w / 2 - 0.15) v.invading = false;
      }
      if (!v.hardBraking && v.body.accel < -HARD_BRAKE_DECEL) {
        v.hardBraking = true;
        ev(t, v.id, 'hard_brake', { decel: -v.body.accel, speed: v.body.v, threshold: HARD_BRAKE_DECEL });
        this.fleet.hardBrakes++;
        if (v.isEgo) this.tally.hardBrake++;
      } else if (v.hardBraking && v.body.accel > -HARD_BRAKE_DECEL / 2) v.hardBraking = false;
      const lead = v.lead;
      if (lead && lead.ttc !== null && v.isEgo)
        this.tally.minTtc = this.tally.minTtc === null ? lead.ttc : Math.min(this.tally.minTtc, lead.ttc);
      if (!v.nearMiss && lead && lead.ttc !== null && lead.ttc < NEAR_MISS_TTC) {
        v.nearMiss = true;
        ev(t, v.id, 'near_miss', { otherId: lead.id, ttc: lead.ttc, distance: lead.gap, threshold: NEAR_MISS_TTC });
        this.fleet.nearMisses++;
        if (v.isEgo) this.tally.nearMiss++;
      } else if (v.nearMiss && (!lead || lead.ttc === null || lead.ttc > 2 * NEAR_MISS_TTC)) v.nearMiss = false;
    }
    // Collisions between vehicles: oriented boxes, separating axis test.
    for (let i = 0; i < vs.length; i++) {
      const a = vs[i]!;
      for (let j = i + 1; j < vs.length; j++) {
        const b = vs[j]!;
        const reach = (a.params.length + b.params.length) / 2;
        const dx = b.body.x - a.body.x;
        const dy = b.body.y - a.body.y;
        const key = `${i}:${j}`;
        if (dx * dx + dy * dy > reach * reach || Math.abs(a.body.z - b.body.z) > 4 || !boxesOverlap(a, b)) {
          this.contacts.delete(key);
          continue;
        }
        if (this.contacts.has(key)) continue;
        this.contacts.add(key);
        const rel = Math.hypot(
          a.body.v * Math.cos(a.body.yaw) - b.body.v * Math.cos(b.body.yaw),
          a.body.v * Math.sin(a.body.yaw) - b.body.v * Math.sin(b.body.yaw),
        );
        const at = { x: (a.body.x + b.body.x) / 2, y: (a.body.y + b.body.y) / 2 };
        ev(t, a.id, 'collision', { otherKind: 'vehicle', otherId: b.id, relativeSpeed: rel, at });
        ev(t, b.id, 'collision', { otherKind: 'vehicle', otherId: a.id, relativeSpeed: rel, at });
        this.fleet.collisions++;
        if (a.isEgo || b.isEgo) this.tally.collisionsVehicle++;
        for (const x of [a, b]) {
          x.body.v = 0;
          x.stoppedUntil = t + 5;
        }
      }
    }
    for (const p of this.pedestrians) {
      if (p.phase !== 'crossing') continue;
      for (const v of vs) {
        if (!pointInBox(v, p.x, p.y, 0.3)) continue;
        ev(t, v.id, 'collision', {
          otherKind: 'pedestrian',
          otherId: p.id,
          relativeSpeed: v.body.v,
          at: { x: p.x, y: p.y },
        });
        this.fleet.collisions++;
        if (v.isEgo) this.tally.collisionsPedestrian++;
        v.body.v = 0;
        v.stoppedUntil = t + 5;
        knockDown(p, t);
        break;
      }
    }
  }
}

type EventSink = <T extends SimEvent['type']>(
  t: number,
  vehicleId: string | null,
  type: T,
  data: Extract<SimEvent, { type: T }>['data'],
) => void;

function corners(v: SimVehicle): [number, number][] {
  const c = Math.cos(v.body.yaw);
  const s = Math.sin(v.body.yaw);
  const hl = v.params.length / 2;
  const hw = v.params.width / 2;
  return [
    [v.body.x + c * hl - s * hw, v.body.y + s * hl + c * hw],
    [v.body.x + c * hl + s * hw, v.body.y + s * hl - c * hw],
    [v.body.x - c * hl + s * hw, v.body.y - s * hl - c * hw],
    [v.body.x - c * hl - s * hw, v.body.y - s * hl + c * hw],
  ];
}

function boxesOverlap(a: SimVehicle, b: SimVehicle): boolean {
  const ca = corners(a);
  const cb = corners(b);
  for (const yaw of [a.body.yaw, a.body.yaw + Math.PI / 2, b.body.yaw, b.body.yaw + Math.PI / 2]) {
    const ax = Math.cos(yaw);
    const ay = Math.sin(yaw);
    let minA = Infinity;
    let maxA = -Infinity;
    let minB = Infinity;
    let maxB = -Infinity;
    for (const [x, y] of ca) {
      const p = x * ax + y * ay;
      minA = Math.min(minA, p);
      maxA = Math.max(maxA, p);
    }
    for (const [x, y] of cb) {
      const p = x * ax + y * ay;
      minB = Math.min(minB, p);
      maxB = Math.max(maxB, p);
    }
    if (maxA < minB || maxB < minA) return false;
  }
  return true;
}

function pointInBox(v: SimVehicle, x: number, y: number, margin: number): boolean {
  const dx = x - v.body.x;
  const dy = y - v.body.y;
  const c = Math.cos(v.body.yaw);
  const s = Math.sin(v.body.yaw);
  const lon = dx * c + dy * s;
  const lat = -dx * s + dy * c;
  return Math.abs(lon) <= v.params.length / 2 + margin && Math.abs(lat) <= v.params.width / 2 + margin;
}
