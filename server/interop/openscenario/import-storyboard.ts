import { child, childrenNamed, descend, type XmlElement } from '~/server/xml/parse';
import { fmt, num, str, type ImportContext } from './import-context';
import type { EntityInfo } from './import-entities';
import { conditionKind, describe, triggerSummary } from './unsupported-report';

/** Longest scenario DriveLab runs (the scenario contract's bound of durationS). */
const MAX_DURATION_S = 3600;

/**
 * Stories. DriveLab has no script: only trivial structure (acts starting at t = 0) and an act that
 * ends after the ego travelled a distance (→ route length, returned) are taken.
 */
export function readStories(ctx: ImportContext, ego: EntityInfo | undefined): number | undefined {
  let routeLengthM: number | undefined;
  for (const story of childrenNamed(ctx.storyboard, 'Story')) {
    ctx.ledger.opened(story);
    ctx.ledger.handled(child(story, 'ParameterDeclarations'));
    for (const act of childrenNamed(story, 'Act')) {
      ctx.ledger.opened(act);
      for (const mg of childrenNamed(act, 'ManeuverGroup')) reportManeuverGroup(ctx, mg);
      readActStart(ctx, act);
      const len = readActStop(ctx, act, ego);
      if (len !== undefined) routeLengthM = Math.min(routeLengthM ?? Infinity, len);
    }
  }
  return routeLengthM;
}

function reportManeuverGroup(ctx: ImportContext, mg: XmlElement): void {
  ctx.ledger.opened(mg);
  ctx.ledger.handled(child(mg, 'Actors'));
  for (const m of childrenNamed(mg, 'Maneuver')) {
    ctx.ledger.opened(m);
    ctx.ledger.handled(child(m, 'ParameterDeclarations'));
    for (const ev of childrenNamed(m, 'Event'))
      ctx.ledger.report(ev, `${describe(ev)}: scripted behaviour is not modelled by DriveLab`);
  }
}

/** An act that starts at simulation time 0 (or always) is what DriveLab does; any other start is reported. */
function readActStart(ctx: ImportContext, act: XmlElement): void {
  const start = child(act, 'StartTrigger');
  const startConds = start ? [...start.children.flatMap((g) => childrenNamed(g, 'Condition'))] : [];
  if (
    startConds.every(
      (c) =>
        conditionKind(c) === 'SimulationTimeCondition' &&
        (num(ctx, descend(c, 'ByValueCondition', 'SimulationTimeCondition'), 'value') ?? 0) === 0,
    )
  )
    ctx.ledger.handled(start);
  else ctx.ledger.report(start!, `act starts on ${triggerSummary(start!)}; DriveLab runs everything from t = 0`);
}

/** The shortest "ego travelled N m" stop condition of the act, if any; other stop conditions are reported. */
function readActStop(ctx: ImportContext, act: XmlElement, ego: EntityInfo | undefined): number | undefined {
  const stop = child(act, 'StopTrigger');
  if (!stop || !stop.children.length) return undefined;
  ctx.ledger.opened(stop);
  let routeLengthM: number | undefined;
  for (const g of childrenNamed(stop, 'ConditionGroup')) {
    const conds = childrenNamed(g, 'Condition');
    const only = conds.length === 1 ? conds[0]! : undefined;
    const traveled = only && descend(only, 'ByEntityCondition', 'EntityCondition', 'TraveledDistanceCondition');
    const triggeredBy =
      only &&
      childrenNamed(descend(only, 'ByEntityCondition', 'TriggeringEntities'), 'EntityRef').map(
        (r) => r.attrs.entityRef,
      );
    const len = num(ctx, traveled, 'value');
    if (traveled && len !== undefined && len > 0 && ego && triggeredBy?.length === 1 && triggeredBy[0] === ego.name) {
      ctx.ledger.handled(g);
      routeLengthM = Math.min(routeLengthM ?? Infinity, len);
      ctx.notes.push(`Act ends after the ego travels ${fmt(len)} m: imported as ego.route.lengthM.`);
    } else ctx.ledger.report(g, `act stop condition on ${triggerSummary(g)} is not modelled`);
  }
  return routeLengthM;
}

/** The storyboard's StopTrigger: the shortest SimulationTimeCondition is the duration. */
export function readDuration(ctx: ImportContext): number | undefined {
  const { ledger, notes } = ctx;
  let durationS: number | undefined;
  const stop = child(ctx.storyboard, 'StopTrigger');
  ledger.opened(stop);
  for (const g of childrenNamed(stop, 'ConditionGroup')) {
    ledger.opened(g);
    for (const c of childrenNamed(g, 'Condition')) {
      const sim = descend(c, 'ByValueCondition', 'SimulationTimeCondition');
      const v = num(ctx, sim, 'value');
      const rule = str(ctx, sim, 'rule');
      if (sim && v !== undefined && v > 0 && (rule === 'greaterThan' || rule === 'equalTo')) {
        ledger.handled(c);
        durationS = Math.min(durationS ?? Infinity, v);
        if (childrenNamed(g, 'Condition').length > 1)
          notes.push(
            'The duration condition shares its ConditionGroup with others; DriveLab stops at the duration alone.',
          );
      } else if (/^criteria_/.test(c.attrs.name ?? '')) {
        ledger.report(
          c,
          `CARLA evaluation criterion (${conditionKind(c)}); DriveLab computes its own KPIs and infractions`,
        );
      } else ledger.report(c, `stop condition ${conditionKind(c)} is not modelled; DriveLab stops at the duration`);
    }
  }
  if (durationS === undefined)
    notes.push('No SimulationTimeCondition in the storyboard StopTrigger; duration defaults to 60 s.');
  else if (durationS > MAX_DURATION_S) {
    notes.push(`Duration ${fmt(durationS)} s capped at ${MAX_DURATION_S} s.`);
    durationS = MAX_DURATION_S;
  }
  return durationS;
}
