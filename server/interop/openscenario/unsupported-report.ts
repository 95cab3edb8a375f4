import type { XmlElement } from '~/server/xml/parse';

/**
 * Bookkeeping that makes "never silently dropped" checkable: the importer marks each element it
 * interprets (`handled`) or whose children it looked at one by one (`opened`); whatever is left
 * unmarked afterwards is, by construction, something DriveLab did not take over, and is
 * reported with its path and a one-line summary of what it does.
 */
export class ImportLedger {
  private readonly parent = new Map<XmlElement, XmlElement>();
  private readonly handledSet = new Set<XmlElement>();
  private readonly openedSet = new Set<XmlElement>();
  /** Elements already reported with a tailored reason; the final sweep skips them. */
  private readonly reportedSet = new Set<XmlElement>();
  readonly unsupported: string[] = [];

  constructor(readonly root: XmlElement) {
    const index = (e: XmlElement) => {
      for (const c of e.children) {
        this.parent.set(c, e);
        index(c);
      }
    };
    index(root);
  }

  handled(...els: (XmlElement | undefined)[]): void {
    for (const e of els) if (e) this.handledSet.add(e);
  }

  opened(...els: (XmlElement | undefined)[]): void {
    for (const e of els) if (e) this.openedSet.add(e);
  }

  /** Reports an element now, with a reason more specific than the sweep would give. */
  report(e: XmlElement, reason: string): void {
    this.reportedSet.add(e);
    this.unsupported.push(`${this.path(e)}: ${reason}`);
  }

  /** "OpenSCENARIO/Storyboard/Story[MyStory]/Act[Behavior]": names in brackets, else the position among same-named siblings. */
  path(e: XmlElement): string {
    const parts: string[] = [];
    for (let cur: XmlElement | undefined = e; cur; cur = this.parent.get(cur)) {
      const p = this.parent.get(cur);
      const label = cur.attrs.name ?? cur.attrs.entityRef;
      let seg = cur.name;
      if (label !== undefined) seg += `[${label}]`;
      else if (p) {
        const same = p.children.filter((c) => c.name === cur.name);
        if (same.length > 1) seg += `[${same.indexOf(cur) + 1}]`;
      }
      parts.unshift(seg);
    }
    return parts.join('/');
  }

  /** The sweep: every element neither handled, opened nor already reported, and not empty. */
  sweep(): string[] {
    const visit = (e: XmlElement) => {
      for (const c of e.children) {
        if (this.handledSet.has(c) || this.reportedSet.has(c)) continue;
        if (this.openedSet.has(c)) visit(c);
        else if (!isEmpty(c)) this.unsupported.push(`${this.path(c)}: ${describe(c)} (not modelled by DriveLab)`);
      }
    };
    visit(this.root);
    return this.unsupported;
  }
}

/** Nothing to lose: no children, no text, no attribute with a value (e.g. <StopTrigger/>, <SceneGraphFile filepath=""/>). */
export function isEmpty(e: XmlElement): boolean {
  return e.children.length === 0 && e.text.trim() === '' && Object.values(e.attrs).every((v) => v.trim() === '');
}

/** The most specific action element: Action/PrivateAction/LateralAction/LaneChangeAction → "LaneChangeAction". */
export function actionKind(e: XmlElement): string {
  let cur = e;
  let kind = '';
  for (;;) {
    const next = cur.children.filter((c) => c.name.endsWith('Action'));
    if (next.length !== 1) return kind || (next.length ? next.map((n) => n.name).join('+') : 'empty action');
    kind = next[0]!.name;
    cur = next[0]!;
  }
}

/** The condition element of a Condition: ByValueCondition/SimulationTimeCondition → "SimulationTimeCondition". */
export function conditionKind(c: XmlElement): string {
  const by = c.children[0];
  if (!by) return 'empty condition';
  if (by.name === 'ByEntityCondition')
    return by.children.find((x) => x.name === 'EntityCondition')?.children[0]?.name ?? by.name;
  return by.children[0]?.name ?? by.name;
}

const unique = (xs: string[]) => [...new Set(xs)];

function collect(e: XmlElement, name: string, out: XmlElement[] = []): XmlElement[] {
  for (const c of e.children) {
    if (c.name === name) out.push(c);
    else collect(c, name, out);
  }
  return out;
}

export function triggerSummary(trigger: XmlElement): string {
  return unique(collect(trigger, 'Condition').map(conditionKind)).join(', ') || 'no condition';
}

/** One line on what an unsupported element does, so the list is useful without opening the file. */
export function describe(e: XmlElement): string {
  switch (e.name) {
    case 'Event': {
      const actions = unique(collect(e, 'Action').map(actionKind)).join(', ');
      const trigger = e.children.find((c) => c.name === 'StartTrigger');
      return `event with ${actions || 'no action'}${trigger ? `, started by ${triggerSummary(trigger)}` : ''}`;
    }
    case 'Action':
    case 'PrivateAction':
    case 'GlobalAction':
      return actionKind(e);
    case 'StartTrigger':
    case 'StopTrigger':
      return `${e.name} on ${triggerSummary(e)}`;
    case 'Condition':
      return conditionKind(e);
    case 'ScenarioObject':
      return `entity of kind ${e.children[0]?.name ?? 'unknown'}`;
    default:
      return e.name;
  }
}
