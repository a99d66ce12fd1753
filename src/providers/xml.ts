import xml2js from 'xml2js';
import { PayloadShapeError } from '../errors.js';

/**
 * XML bodies, read with xml2js in this one module, and turned into the JSON shape of the wire
 * types so that one decoder serves a provider's JSON and XML alike.
 *
 * XML cannot say whether an element is a list: `<groups><id>a</id></groups>` is a list of one, and
 * a single `<department>` under `<response>` may be the only item of a list. So the parse keeps
 * every child as an array (xml2js `explicitArray`), and a *shape* (below) says, per element, what
 * it is: text, an object with known children, or a list. One element and a list of one then come
 * out the same; an empty element (`<value/>`, `<groups/>`) is the empty string or the empty list;
 * a missing element is absent.
 */

/** A parsed element: its text, or its children by name (each an array, in document order). */
export type XmlValue = string | XmlElement;
export interface XmlElement {
  readonly [name: string]: XmlValue[] | string | Record<string, string>;
}

export interface XmlDocument {
  readonly rootName: string;
  readonly root: XmlValue;
}

/** Where xml2js keeps an element's text when it also has children or attributes, and its attributes. */
const TEXT_KEY = '_';
const ATTRIBUTES_KEY = '$';

/**
 * A document type declaration is refused before parsing: no API this project reads sends one, and
 * it is the door to entity expansion (sax, under xml2js, does not expand external entities, but a
 * refusal does not depend on that).
 */
const DOCTYPE = /<!DOCTYPE/i;

/**
 * The one set of parser options. Every child is an array (see above); text is trimmed; an empty
 * element is the empty string; attributes (none documented) are kept apart from the children.
 */
const PARSER_OPTIONS: Readonly<xml2js.ParserOptions> = Object.freeze({
  explicitArray: true,
  explicitRoot: true,
  trim: true,
  normalize: false,
  emptyTag: '',
  charkey: TEXT_KEY,
  attrkey: ATTRIBUTES_KEY,
  strict: true,
});

export async function parseXml(body: string): Promise<XmlDocument> {
  if (DOCTYPE.test(body)) {
    throw new PayloadShapeError('(body)', 'an XML document without a DOCTYPE', 'a document type declaration');
  }
  let parsed: unknown;
  try {
    // A parser per document: an xml2js parser keeps state while it reads.
    parsed = await new xml2js.Parser(PARSER_OPTIONS).parseStringPromise(body);
  } catch (error) {
    // sax's message names a line and column, never the content.
    const reason = error instanceof Error ? error.message.split('\n').slice(0, 3).join(' ') : 'unknown';
    throw new PayloadShapeError('(body)', 'a well-formed XML document', `XML it could not parse (${reason})`);
  }
  if (parsed === null || typeof parsed !== 'object') {
    throw new PayloadShapeError(
      '(body)',
      'an XML document',
      body.trim() === '' ? 'an empty body' : 'no root element',
    );
  }
  const [rootName, root] = Object.entries(parsed)[0] ?? [];
  if (rootName === undefined) throw new PayloadShapeError('(body)', 'an XML document', 'no root element');
  return { rootName, root: root as XmlValue };
}

// --- shapes ----------------------------------------------------------------------------------

/** What an element is, so that it can be turned into the JSON the wire types describe. */
export type XmlShape =
  | { readonly kind: 'text' }
  | { readonly kind: 'object'; readonly children: Readonly<Record<string, XmlShape>> }
  /** `<wrapper><item/>…</wrapper>`: the items' element name and their shape. */
  | { readonly kind: 'list'; readonly item: string; readonly of: XmlShape };

export const xmlText: XmlShape = Object.freeze({ kind: 'text' });

export function xmlObject(children: Record<string, XmlShape>): XmlShape {
  return { kind: 'object', children };
}

export function xmlList(item: string, of: XmlShape): XmlShape {
  return { kind: 'list', item, of };
}

/**
 * An element's occurrences (as parsed) → the JSON value the shape describes; undefined when the
 * element is absent. For a text or object shape only the first occurrence counts.
 *
 * A value that does not fit its shape (children where text was expected) is passed on as it is,
 * so that the JSON decoder reports it with its path and what it expected.
 */
export function fromXml(occurrences: readonly XmlValue[] | undefined, shape: XmlShape): unknown {
  if (occurrences === undefined || occurrences.length === 0) return undefined;
  switch (shape.kind) {
    case 'text':
      return textOf(occurrences[0]!);
    case 'object':
      return objectFromXml(occurrences[0]!, shape.children);
    case 'list':
      return listFromXml(occurrences, shape.item, shape.of);
  }
}

/** Every occurrence of an element that repeats in its parent (`<department>` under `<response>`). */
export function repeatedFromXml(occurrences: readonly XmlValue[] | undefined, shape: XmlShape): unknown[] {
  return (occurrences ?? []).map((occurrence) => fromXml([occurrence], shape));
}

/** The children of an element by name, or an empty record for a text-only element. */
export function childrenOf(value: XmlValue): Readonly<Record<string, XmlValue[]>> {
  if (typeof value === 'string') return {};
  const children: Record<string, XmlValue[]> = {};
  for (const [name, inner] of Object.entries(value)) {
    if (name === TEXT_KEY || name === ATTRIBUTES_KEY || !Array.isArray(inner)) continue;
    children[name] = inner;
  }
  return children;
}

/**
 * One child's occurrences, read in place. (The conversion runs for every element of every page,
 * so it reads children where they are rather than building a record of them first.)
 */
function childOccurrences(value: XmlElement, name: string): XmlValue[] | undefined {
  if (name === TEXT_KEY || name === ATTRIBUTES_KEY || !Object.hasOwn(value, name)) return undefined;
  const inner = value[name];
  return Array.isArray(inner) ? inner : undefined;
}

function hasChildElements(value: XmlElement): boolean {
  for (const name in value) {
    if (name !== TEXT_KEY && name !== ATTRIBUTES_KEY && Object.hasOwn(value, name)) return true;
  }
  return false;
}

function textOf(value: XmlValue): unknown {
  if (typeof value === 'string') return value;
  // `<name attr="x">text</name>`: the text; an element with children is not text (see above).
  if (hasChildElements(value)) return value;
  const text = value[TEXT_KEY];
  return typeof text === 'string' ? text : '';
}

function objectFromXml(value: XmlValue, children: Readonly<Record<string, XmlShape>>): unknown {
  // `<subordination/>`: an empty element stands for no value.
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  const out: Record<string, unknown> = {};
  for (const name in children) {
    const converted = fromXml(childOccurrences(value, name), children[name]!);
    if (converted !== undefined) out[name] = converted;
  }
  return out;
}

function listFromXml(occurrences: readonly XmlValue[], item: string, of: XmlShape): unknown[] {
  const items: unknown[] = [];
  for (const occurrence of occurrences) {
    if (typeof occurrence === 'string') {
      // `<groups/>` is the empty list. `<userIds>a</userIds><userIds>b</userIds>` (the form the
      // docs use in request bodies) is a list of the texts.
      if (occurrence.trim() !== '') items.push(occurrence);
      continue;
    }
    for (const child of childOccurrences(occurrence, item) ?? []) items.push(fromXml([child], of));
  }
  return items;
}
