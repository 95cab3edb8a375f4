/**
 * A minimal XML writer: enough for OpenSCENARIO documents, which use elements, attributes and
 * comments only. No dependency is installed for XML, and building a tree first (rather than
 * concatenating strings) keeps escaping in one place where it cannot be forgotten.
 */

export interface XmlElementNode {
  kind: 'element';
  name: string;
  /** Insertion order is kept: attribute order is irrelevant to XML but makes diffs readable. */
  attrs: [string, string][];
  children: XmlNode[];
}

export interface XmlCommentNode {
  kind: 'comment';
  text: string;
}

/** Character data, e.g. OpenDRIVE's <geoReference> PROJ string. */
export interface XmlTextNode {
  kind: 'text';
  text: string;
}

export type XmlNode = XmlElementNode | XmlCommentNode | XmlTextNode;

export type AttrValue = string | number | boolean | undefined;

/** Builds an element; attributes whose value is undefined are left out. */
export function el(
  name: string,
  attrs: Record<string, AttrValue> = {},
  children: (XmlNode | null | undefined | false)[] = [],
): XmlElementNode {
  const list: [string, string][] = [];
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    list.push([k, typeof v === 'number' ? formatNumber(v) : String(v)]);
  }
  return { kind: 'element', name, attrs: list, children: children.filter((c): c is XmlNode => !!c) };
}

export function comment(text: string): XmlCommentNode {
  return { kind: 'comment', text };
}

export function text(value: string): XmlTextNode {
  return { kind: 'text', text: value };
}

/**
 * xsd:double has no lexical form for NaN-as-garbage or for JS's "Infinity", and long binary
 * fractions (0.30000000000000004) are noise in a hand-read file; six decimals are below any
 * physical precision the scenario carries.
 */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`cannot write non-finite number ${n} to XML`);
  const r = Number(n.toFixed(6));
  return Object.is(r, -0) ? '0' : String(r);
}

export function escapeText(s: string): string {
  return stripInvalidChars(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Quotes and whitespace controls are escaped too: a parser would normalise raw tabs/newlines in attributes to spaces. */
export function escapeAttr(s: string): string {
  return escapeText(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

/** "--" may not occur inside a comment and it may not end with "-"; there is no escape, so break them up. */
export function escapeComment(s: string): string {
  let t = stripInvalidChars(s).replace(/--/g, '- -');
  while (t.includes('--')) t = t.replace(/--/g, '- -');
  return t.endsWith('-') ? `${t} ` : t;
}

/** Characters XML 1.0 cannot carry at all, even escaped (C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/FFFF). */
function stripInvalidChars(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex -- these control characters are exactly what XML forbids
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
  );
}

function write(node: XmlNode, depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  if (node.kind === 'comment') {
    out.push(`${pad}<!-- ${escapeComment(node.text)} -->`);
    return;
  }
  if (node.kind === 'text') {
    out.push(`${pad}${escapeText(node.text)}`);
    return;
  }
  const attrs = node.attrs.map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join('');
  // Text alone inside an element stays on its line, so no indentation becomes part of it.
  if (node.children.length > 0 && node.children.every((c) => c.kind === 'text')) {
    out.push(`${pad}<${node.name}${attrs}>${node.children.map((c) => escapeText(c.text)).join('')}</${node.name}>`);
    return;
  }
  if (node.children.length === 0) {
    out.push(`${pad}<${node.name}${attrs}/>`);
    return;
  }
  out.push(`${pad}<${node.name}${attrs}>`);
  for (const c of node.children) write(c, depth + 1, out);
  out.push(`${pad}</${node.name}>`);
}

/** Serialises a document: XML declaration, optional leading comments, the root element. */
export function serializeXml(root: XmlElementNode, leadingComments: XmlCommentNode[] = []): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  for (const c of leadingComments) write(c, 0, out);
  write(root, 0, out);
  return `${out.join('\n')}\n`;
}
