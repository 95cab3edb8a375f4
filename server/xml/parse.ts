/**
 * A small, strict XML parser for .xosc files: elements, attributes, text, comments, CDATA,
 * processing instructions (the XML declaration) and a DOCTYPE without an internal subset.
 * It rejects malformed input with a line/column rather than guessing, because an import that
 * silently misreads a file would be worse than one that refuses it. Namespaces are not resolved:
 * OpenSCENARIO 1.0 files do not use them.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element (text and CDATA). */
  text: string;
  line: number;
}

export class XmlParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`XML parse error at ${line}:${column}: ${message}`);
    this.name = 'XmlParseError';
  }
}

const NAME_START = /[A-Za-z_:\u00C0-\uFFFF]/;
const NAME_CHAR = /[A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]/;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function parseXml(input: string): XmlElement {
  const src = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  let pos = 0;

  // Line starts, so that positions of elements and errors cost a binary search, not a rescan.
  const lineStarts = [0];
  for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const where = (at = pos): { line: number; column: number } => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - lineStarts[lo]! + 1 };
  };
  const fail = (msg: string, at = pos): never => {
    const { line, column } = where(at);
    throw new XmlParseError(msg, line, column);
  };
  const startsWith = (s: string) => src.startsWith(s, pos);
  const skipWs = () => {
    while (pos < src.length && /\s/.test(src[pos]!)) pos++;
  };
  const expect = (s: string) => {
    if (!startsWith(s)) fail(`expected "${s}"`);
    pos += s.length;
  };
  const readName = (): string => {
    const start = pos;
    if (!NAME_START.test(src[pos] ?? '')) fail('expected a name');
    pos++;
    while (pos < src.length && NAME_CHAR.test(src[pos]!)) pos++;
    return src.slice(start, pos);
  };
  const decode = (raw: string, at: number): string =>
    raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);|&/g, (m, ref: string | undefined, offset: number) => {
      if (!ref) return fail('bare "&" (write &amp;)', at + offset);
      if (ref.startsWith('#')) {
        const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        if (!Number.isFinite(code) || code > 0x10ffff) return fail(`invalid character reference ${m}`, at + offset);
        return String.fromCodePoint(code);
      }
      const v = PREDEFINED[ref];
      if (v === undefined) return fail(`unknown entity ${m}`, at + offset);
      return v;
    });
  const skipComment = () => {
    const end = src.indexOf('-->', pos + 4);
    if (end < 0) fail('unterminated comment');
    pos = end + 3;
  };
  const skipPi = () => {
    const end = src.indexOf('?>', pos + 2);
    if (end < 0) fail('unterminated processing instruction');
    pos = end + 2;
  };
  /** Comments, PIs and whitespace are allowed around the root element. */
  const skipMisc = (allowDoctype: boolean) => {
    for (;;) {
      skipWs();
      if (startsWith('<!--')) skipComment();
      else if (startsWith('<?')) skipPi();
      else if (allowDoctype && startsWith('<!DOCTYPE')) {
        const end = src.indexOf('>', pos);
        if (end < 0 || src.slice(pos, end).includes('[')) fail('DOCTYPE with an internal subset is not supported');
        pos = end + 1;
      } else return;
    }
  };

  const readElement = (): XmlElement => {
    const line = where().line;
    expect('<');
    const name = readName();
    const attrs: Record<string, string> = {};
    for (;;) {
      const hadWs = /\s/.test(src[pos] ?? '');
      skipWs();
      if (startsWith('/>')) {
        pos += 2;
        return { name, attrs, children: [], text: '', line };
      }
      if (startsWith('>')) {
        pos++;
        break;
      }
      if (!hadWs) fail('expected whitespace before an attribute');
      const attrAt = pos;
      const key = readName();
      skipWs();
      expect('=');
      skipWs();
      const q = src[pos];
      if (q !== '"' && q !== "'") fail('attribute value must be quoted');
      const end = src.indexOf(q!, pos + 1);
      if (end < 0) fail('unterminated attribute value');
      const raw = src.slice(pos + 1, end);
      if (raw.includes('<')) fail('"<" is not allowed in an attribute value', pos + 1 + raw.indexOf('<'));
      if (key in attrs) fail(`duplicate attribute "${key}"`, attrAt);
      // Attribute-value normalisation: literal whitespace becomes a space; escaped stays as written.
      attrs[key] = decode(raw.replace(/[\t\n\r]/g, ' '), pos + 1);
      pos = end + 1;
    }
    const el: XmlElement = { name, attrs, children: [], text: '', line };
    for (;;) {
      if (pos >= src.length) fail(`element <${name}> is not closed`);
      if (startsWith('</')) {
        pos += 2;
        const closing = readName();
        if (closing !== name) fail(`expected </${name}> but found </${closing}>`);
        skipWs();
        expect('>');
        return el;
      }
      if (startsWith('<!--')) skipComment();
      else if (startsWith('<![CDATA[')) {
        const end = src.indexOf(']]>', pos);
        if (end < 0) fail('unterminated CDATA section');
        el.text += src.slice(pos + 9, end);
        pos = end + 3;
      } else if (startsWith('<?')) skipPi();
      else if (startsWith('<!')) fail('unsupported markup declaration');
      else if (startsWith('<')) el.children.push(readElement());
      else {
        const next = src.indexOf('<', pos);
        const end = next < 0 ? src.length : next;
        el.text += decode(src.slice(pos, end), pos);
        pos = end;
      }
    }
  };

  skipMisc(true);
  if (!startsWith('<')) fail('expected the root element');
  const root = readElement();
  skipMisc(false);
  if (pos < src.length) fail('content after the root element');
  return root;
}

/** First child element of that name. */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

/** All child elements of that name. */
export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

/** Follows a path of child names, taking the first match at each step. */
export function descend(el: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  let cur = el;
  for (const n of names) cur = child(cur, n);
  return cur;
}
