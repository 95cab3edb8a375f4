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
import { getMap } from '~/server/maps';
import type { Crosswalk, RoadMap } from '~/server/maps/road-network';
import { detect, pointInBox, type DetectionWorld, type EventSink, type FleetTally } from './detection';
import { stepBody, type ForceContext } from './dynamics';
import { MAX_DECEL } from './driver';
import { faultEffects, faultEnd, scheduleFaults, type ScheduledFault } from './faults';
import { computeKpis, emptyTally, type EgoTally } from './kpis';
import { considerLaneChange, steer } from './lateral';
import { decideAccel } from './longitudinal';
import { spawnPedestrians, stepPedestrians, type Pedestrian } from './pedestrians';
import { createRng, type Rng } from './prng';
import { locate, type TurnPlan } from './routing';
import { senseFrame } from './sensing';
import { spawnVehicles } from './spawning';
import { brakeEffectiveness, rollingFactor, updateHealth } from './thermal';
import { SignalController } from './traffic-lights';
import { TrafficView } from './traffic-view';
import type { SimVehicle } from './vehicle';

export interface SimOptions {
  orgId: string;
  runId: string;
  /** Wall clock for `ts` (epoch ms); tests inject a fixed one to compare streams. */
  clock?: () => number;
  /** The road network to drive on, for scenarios on an OpenDRIVE map (else the built-in map). */
  network?: RoadMap;
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

export { NEAR_MISS_TTC, HARD_BRAKE_DECEL } from './detection';
const PHYSICS_DT = 0.02;

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

/**
 * One run: each step decides (longitudinal.ts, lateral.ts on one TrafficView snapshot), senses
 * (sensing.ts), integrates (dynamics.ts, thermal.ts), moves along the lane graph (routing.ts) and
 * detects (detection.ts). Vehicles come from spawning.ts. The order of these calls, and so of
 * every random draw, is what makes a seed reproduce a run bit for bit (tests/unit/sim/digest).
 */
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
  private readonly vehicles: SimVehicle[];
  private readonly pedestrians: Pedestrian[];
  private readonly pedRng: Rng;
  private readonly faults: ScheduledFault[];
  private readonly contacts = new Set<string>();
  private readonly view: TrafficView;
  private readonly egoTurns: TurnPlan;
  private frameCount = 0;
  private readonly tally: EgoTally;
  private readonly fleet: FleetTally = { collisions: 0, nearMisses: 0, hardBrakes: 0 };
  private readonly world: DetectionWorld;

  constructor(
    readonly scenario: Scenario,
    private readonly opts: SimOptions,
  ) {
    this.map = opts.network ?? getMap(scenario.map);
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
    this.egoTurns = scenario.ego.route.turns;
    this.vehicles = spawnVehicles({
      scenario,
      map: this.map,
      weather: this.weather,
      ambient: this.ambient,
      faults: this.faults,
      orgId: opts.orgId,
      runId: opts.runId,
    });
    this.pedRng = createRng(scenario.seed, 'pedestrians');
    this.pedestrians = spawnPedestrians(
      this.map,
      scenario.traffic.pedestrians,
      createRng(scenario.seed, 'pedestrian-spawn'),
    );
    this.view = new TrafficView(this.map, this.vehicles, this.pedestrians);
    this.tally = emptyTally(scenario.ego.route.lengthM ?? scenario.ego.targetSpeed * scenario.durationS * 0.8);
    this.world = {
      vehicles: this.vehicles,
      pedestrians: this.pedestrians,
      contacts: this.contacts,
      tally: this.tally,
      fleet: this.fleet,
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
        map: this.map.id,
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
    this.view.rebuild();
    const lcPeriod = this.rateHz;
    for (const v of this.vehicles)
      if ((this.stepIndex + v.index * 7) % lcPeriod === 0) considerLaneChange(v, t, this.view, this.egoTurns);
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
      let want = decideAccel(v, t, this.view, this.signals);
      if (t < v.stoppedUntil) want = -MAX_DECEL;
      const pedals = v.ctrl.command(v.params, v.body, want, ctx, this.dt);
      v.act.throttle = pedals.throttle;
      v.act.brake = pedals.brake;
      // Lateral wander: Ornstein-Uhlenbeck with a 4 s time constant.
      const tau = 4;
      v.wander += (-v.wander / tau) * this.dt + v.driver.wander * Math.sqrt((2 / tau) * this.dt) * v.rng.normal();
      v.act.steer = steer(v);
    }

    // Sense: frames carry the state at t and the controls being applied from t.
    for (const v of this.vehicles) frames.push(senseFrame(v, t, effects[v.index]!.sensors, ts));
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
    detect(tNext, this.world, ev);

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

  /** Moves a vehicle along the lane graph; running a red light on the way is an infraction. */
  private locate(v: SimVehicle, t: number, ev: EventSink): void {
    locate(v, this.egoTurns, (L) => {
      if (L.signalId && this.signals.state(L.signalId, t) === 'red' && v.body.v > 0.5) {
        ev(t, v.id, 'red_light_violation', { signalId: L.signalId, speed: v.body.v, at: { x: v.body.x, y: v.body.y } });
        if (v.isEgo) this.tally.redLight++;
      }
    });
  }

  private readonly timeToArrivalFn = (cw: Crosswalk): number => this.view.timeToArrival(cw);
  /** Pedestrians do not walk into a vehicle standing on the crosswalk. */
  private readonly blockedFn = (x: number, y: number): boolean => {
    for (const v of this.vehicles) if (pointInBox(v, x, y, 0.8)) return true;
    return false;
  };
}
