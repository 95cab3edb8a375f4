import XMLBuilder, { type XmlBuilderOptions } from 'fast-xml-builder';

/**
 * The XML writer for OpenSCENARIO and OpenDRIVE: documents are built as a tree (elements,
 * attributes, comments, character data) and serialised by fast-xml-builder, which does the
 * escaping and layout. What stays here is what XML 1.0 itself forbids and no builder strips.
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

/** Element name → ordered children, ":@" → attributes: fast-xml-builder's order-preserving shape. */
type OrderedNode = Record<string, OrderedNode[] | Record<string, string> | string>;

function toOrdered(node: XmlNode): OrderedNode {
  if (node.kind === 'comment') return { '#comment': [{ '#text': ` ${escapeComment(node.text)} ` }] };
  if (node.kind === 'text') return { '#text': stripInvalidChars(node.text) };
  const out: OrderedNode = { [node.name]: node.children.map(toOrdered) };
  if (node.attrs.length > 0) out[':@'] = Object.fromEntries(node.attrs.map(([k, v]) => [k, stripInvalidChars(v)]));
  return out;
}

// `entities` is a runtime option of fast-xml-builder 1.3 (its defaults are the five below) that its
// typings do not declare, hence the widened type.
const builderOptions: XmlBuilderOptions & { entities: { regex: RegExp; val: string }[] } = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  commentPropName: '#comment',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
  // As deep as the reader accepts (parse.ts refuses deeper than 400); the default is 100.
  maxNestedTags: 400,
  // The default five, plus whitespace controls: a parser would normalise raw tabs and newlines
  // in an attribute value to spaces, so they are written as character references.
  entities: [
    { regex: /&/g, val: '&amp;' },
    { regex: />/g, val: '&gt;' },
    { regex: /</g, val: '&lt;' },
    { regex: /'/g, val: '&apos;' },
    { regex: /"/g, val: '&quot;' },
    { regex: /\t/g, val: '&#9;' },
    { regex: /\n/g, val: '&#10;' },
    { regex: /\r/g, val: '&#13;' },
  ],
};
const builder = new XMLBuilder(builderOptions);

/** Serialises a document: XML declaration, optional leading comments, the root element. */
export function serializeXml(root: XmlElementNode, leadingComments: XmlCommentNode[] = []): string {
  const decl: OrderedNode = { '?xml': [], ':@': { version: '1.0', encoding: 'UTF-8' } };
  return `${builder.build([decl, ...leadingComments.map(toOrdered), toOrdered(root)]).trimStart()}\n`;
}
