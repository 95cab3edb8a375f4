import type { XmlElement } from '~/server/xml/parse';
import type { DriveLabValues } from './drivelab-parameters';
import type { ImportLedger } from './unsupported-report';

/** What every section of an import reads and writes: the document, the ledger and the notes. */
export interface ImportContext {
  readonly root: XmlElement;
  readonly storyboard: XmlElement;
  readonly ledger: ImportLedger;
  /** Approximations and defaults chosen, in the order the sections are read. */
  readonly notes: string[];
  /** ParameterDeclarations: values for $references. */
  readonly params: ReadonlyMap<string, string>;
  /** DriveLab's own DriveLab_* parameters (a file DriveLab exported). */
  readonly dl: DriveLabValues;
  readonly fromDriveLab: boolean;
}

export const fmt = (n: number) => String(Math.round(n * 1000) / 1000);

/** Attribute as a number, following a $parameter reference. */
export function num(ctx: ImportContext, e: XmlElement | undefined, attr: string): number | undefined {
  let raw = e?.attrs[attr];
  if (raw === undefined) return undefined;
  if (raw.startsWith('$')) raw = ctx.params.get(raw.slice(1));
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

/** Attribute as a string, following a $parameter reference. */
export function str(ctx: ImportContext, e: XmlElement | undefined, attr: string): string | undefined {
  const raw = e?.attrs[attr];
  return raw?.startsWith('$') ? ctx.params.get(raw.slice(1)) : raw;
}
