import { describe, expect, it } from 'vitest';
import { child, parseXml, XmlParseError } from '~/server/xml/parse';
import { comment, el, escapeComment, serializeXml } from '~/server/xml/write';

describe('XML writer', () => {
  it('escapes markup characters in attributes', () => {
    expect(serializeXml(el('A', { v: `a<b>&"c'` }))).toContain(`<A v="a&lt;b&gt;&amp;&quot;c&apos;"/>`);
    expect(serializeXml(el('A', { v: 'tab\there\nline' }))).toContain('<A v="tab&#9;here&#10;line"/>');
  });

  it('keeps comments legal', () => {
    expect(escapeComment('a -- b --- c-')).not.toMatch(/--|-$/);
  });

  it('writes what the parser reads back, including awkward names', () => {
    const names = [`<>&"'`, 'Müller & Söhne', '  spaced  ', 'line\nbreak', '$notAParameter', ']]>'];
    const xml = serializeXml(el('Root', {}, [comment('x -- y'), ...names.map((n, i) => el('Item', { name: n, i }))]));
    const back = parseXml(xml);
    expect(back.children.map((c) => c.attrs.name)).toEqual(names);
    expect(back.children.map((c) => c.attrs.i)).toEqual(names.map((_, i) => String(i)));
  });

  it('never writes non-finite numbers', () => {
    expect(() => el('A', { v: Number.NaN })).toThrow(/non-finite/);
  });
});

describe('XML parser', () => {
  it('handles the declaration, BOM, comments, CDATA, entities and character references', () => {
    const doc = parseXml(
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><!DOCTYPE r>\n<r a=\'1 &amp; 2\' b="&#x3C;&#60;"><!-- <x/> --><t>A &lt; B<![CDATA[ <raw> & ]]></t><e/></r>\n<!-- tail -->',
    );
    expect(doc.attrs).toEqual({ a: '1 & 2', b: '<<' });
    expect(child(doc, 't')?.text).toBe('A < B <raw> & ');
    expect(doc.children.map((c) => c.name)).toEqual(['t', 'e']);
  });

  it.each([
    ['<a><b></a>', /expected <\/b>/],
    ['<a x="1" x="2"/>', /duplicate attribute/],
    ['<a x=1/>', /must be quoted/],
    ['<a>&nbsp;</a>', /unknown entity/],
    ['<a>AT&T</a>', /bare "&"/],
    ['<a/><b/>', /content after the root/],
    ['<a x="<"/>', /not allowed in an attribute/],
  ])('rejects %s', (xml, msg) => {
    expect(() => parseXml(xml)).toThrow(XmlParseError);
    expect(() => parseXml(xml)).toThrow(msg);
  });

  it('reports line and column', () => {
    try {
      parseXml('<a>\n  <b>\n</a>');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(XmlParseError);
      expect((e as XmlParseError).line).toBe(3);
    }
  });
});

describe('XML limits (issue 19)', () => {
  it('refuses nesting deeper than 400 with a clear error, never a stack overflow', () => {
    const deep = '<a>'.repeat(100_000) + '</a>'.repeat(100_000);
    expect(() => parseXml(deep)).toThrow(XmlParseError);
    expect(() => parseXml(deep)).toThrow(/nested deeper than 400 levels/);
    expect(() => parseXml('<a>'.repeat(50) + '</a>'.repeat(50), { maxDepth: 10 })).toThrow(/deeper than 10/);
    expect(parseXml('<a>'.repeat(399) + '</a>'.repeat(399)).name).toBe('a');
  });

  it('has no DTDs: internal subsets and their entities are refused', () => {
    const laughs = '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;</r>';
    expect(() => parseXml(laughs)).toThrow(/no DTDs/);
    expect(() =>
      parseXml('<!DOCTYPE r SYSTEM "file:///etc/passwd" [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'),
    ).toThrow(XmlParseError);
  });

  it('refuses documents over the size limit', () => {
    expect(() => parseXml(`<a>${'x'.repeat(2000)}</a>`, { maxLength: 1000 })).toThrow(/larger than/);
  });
});
