// An audience's JSON form (docs/audiences.md, "The JSON form") and the no-code builder's model of
// it, as pure functions: the builder's conditions → the JSON tree the API takes (`"tree"`), a tree
// → builder conditions (to edit a copy of a saved audience), the value box's text → a JSON value,
// and the problems that keep a builder from making a valid tree, worded for the person building.

// ---- The JSON form

export type Op = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'contains' | 'in' | 'exists' | 'not_exists';
export type Scalar = string | number | boolean | null;
export type CountOp = 'at_least' | 'at_most' | 'exactly';
export type Unit = 'minutes' | 'hours' | 'days' | 'weeks';
export type EventType = 'track' | 'page' | 'screen' | 'any';

export interface WhereNode {
  path: string;
  op: Op;
  value?: Scalar | Scalar[];
}

export type AudienceNode =
  | { and: AudienceNode[] }
  | { or: AudienceNode[] }
  | { not: AudienceNode }
  | { trait: string; op: Op; value?: Scalar | Scalar[] }
  | { computed: string; op: Op; value?: Scalar | Scalar[] }
  | { account: string; op: Op; value?: Scalar | Scalar[] }
  | {
      performed: { type: EventType; event?: string };
      where?: WhereNode[];
      count?: { op: CountOp; value: number };
      within?: { value: number; unit: Unit };
    }
  | { in_audience: string }
  | { consent: string };

export const OPS: ReadonlyArray<{ op: Op; label: string }> = [
  { op: 'eq', label: '=' },
  { op: 'neq', label: '≠ (or missing)' },
  { op: 'gt', label: '>' },
  { op: 'gte', label: '≥' },
  { op: 'lt', label: '<' },
  { op: 'lte', label: '≤' },
  { op: 'contains', label: 'contains' },
  { op: 'in', label: 'is one of' },
  { op: 'exists', label: 'is set' },
  { op: 'not_exists', label: 'is not set' },
];

export const UNITS: readonly Unit[] = ['minutes', 'hours', 'days', 'weeks'];

/** The largest window per unit: 3650 days (docs/audiences.md, "Time windows"). */
export const MAX_WITHIN: Readonly<Record<Unit, number>> = { minutes: 5_256_000, hours: 87_600, days: 3650, weeks: 521 };

export const AUDIENCE_NAME = /^[a-z][a-z0-9_]{0,63}$/;

// ---- The builder's model

export type RefKind = 'trait' | 'computed' | 'account';

export interface WhereRow {
  id: number;
  path: string; // as typed: "revenue", "properties.revenue" or "context.campaign.source"
  op: Op;
  value: string; // the value box's text (see parseValue)
}

export type Condition =
  | { id: number; kind: 'group'; negate: boolean; combine: 'and' | 'or'; children: Condition[] }
  | { id: number; kind: 'ref'; negate: boolean; ref: RefKind; path: string; op: Op; value: string }
  | {
      id: number;
      kind: 'performed';
      negate: boolean;
      type: EventType;
      event: string;
      where: WhereRow[];
      countOp: CountOp | 'once'; // 'once': at least once, no count written
      count: string;
      windowed: boolean;
      within: string;
      unit: Unit;
    }
  | { id: number; kind: 'audience'; negate: boolean; name: string }
  | { id: number; kind: 'consent'; negate: boolean; purpose: string };

export type ConditionKind = Condition['kind'];

let nextId = 1;
/** A fresh id for a condition or a where row (unique in this page's life). */
export function newId(): number {
  return nextId++;
}

/** A new, empty condition of a kind, as the builder adds it. */
export function newCondition(kind: ConditionKind): Condition {
  const id = newId();
  switch (kind) {
    case 'group':
      return { id, kind, negate: false, combine: 'and', children: [newCondition('ref')] };
    case 'ref':
      return { id, kind, negate: false, ref: 'trait', path: '', op: 'eq', value: '' };
    case 'performed':
      return { id, kind, negate: false, type: 'track', event: '', where: [], countOp: 'once', count: '1', windowed: false, within: '30', unit: 'days' };
    case 'audience':
      return { id, kind, negate: false, name: '' };
    case 'consent':
      return { id, kind, negate: false, purpose: '' };
  }
}

export function newWhereRow(): WhereRow {
  return { id: newId(), path: '', op: 'eq', value: '' };
}

/** The builder's starting point: one "all of" group with one empty trait condition. */
export function emptyRoot(): Condition & { kind: 'group' } {
  return { id: newId(), kind: 'group', negate: false, combine: 'and', children: [newCondition('ref')] };
}

// ---- Values

const NUMBER = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/**
 * The JSON value a value box's text stands for: a number as in JSON (`42`, `-3.5`, `1e6`),
 * `true`, `false`, `null`, text in double quotes (`"42"` stays text; JSON escapes work), any
 * other text as typed. `contains` always takes text.
 */
export function parseValue(text: string, op: Op): Scalar {
  const t = text.trim();
  if (op === 'contains') return unquote(t) ?? text;
  if (NUMBER.test(t)) return Number(t);
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  return unquote(t) ?? text;
}

function unquote(t: string): string | null {
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    try {
      const v: unknown = JSON.parse(t);
      if (typeof v === 'string') return v;
    } catch {
      /* not a JSON string: keep the text as typed */
    }
  }
  return null;
}

/** The items of an `in` list's text: separated by commas outside double quotes. */
export function splitList(text: string): string[] {
  const items: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '\\' && i + 1 < text.length) {
      cur += c + text[i + 1];
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      items.push(cur);
      cur = '';
    } else cur += c;
  }
  items.push(cur);
  return items.map((s) => s.trim()).filter((s) => s !== '');
}

/** A JSON value as a value box shows it (the inverse of parseValue). */
export function valueText(v: unknown): string {
  if (Array.isArray(v)) return v.map((x) => valueText(x)).join(', ');
  if (typeof v === 'string') {
    // Text that parseValue would read as something else (or with commas, in a list) is quoted.
    return NUMBER.test(v.trim()) || ['true', 'false', 'null'].includes(v.trim()) || v.includes(',') || v.startsWith('"') || v !== v.trim()
      ? JSON.stringify(v)
      : v;
  }
  if (v === null) return 'null';
  return String(v);
}

function opValue(op: Op, text: string): { value?: Scalar | Scalar[] } {
  if (op === 'exists' || op === 'not_exists') return {};
  if (op === 'in') return { value: splitList(text).map((s) => parseValue(s, 'eq')) };
  return { value: parseValue(text, op) };
}

/** A where row's path as the JSON form wants it: the full path from the event. */
export function wherePath(typed: string): string {
  const p = typed.trim();
  return p.startsWith('properties.') || p.startsWith('context.') ? p : `properties.${p}`;
}

// ---- Builder → JSON

/**
 * The JSON tree of a condition. A group of one condition is that condition (with the group's
 * "not"); an empty group is null (nothing to say), and so is a group whose conditions are all
 * empty groups.
 */
export function toTree(c: Condition): AudienceNode | null {
  const node = positive(c);
  if (node === null) return null;
  return c.negate ? { not: node } : node;
}

function positive(c: Condition): AudienceNode | null {
  switch (c.kind) {
    case 'group': {
      const kids = c.children.map(toTree).filter((n): n is AudienceNode => n !== null);
      if (kids.length === 0) return null;
      if (kids.length === 1) return kids[0];
      return c.combine === 'and' ? { and: kids } : { or: kids };
    }
    case 'ref': {
      const path = c.path.trim();
      const v = opValue(c.op, c.value);
      if (c.ref === 'trait') return { trait: path, op: c.op, ...v };
      if (c.ref === 'computed') return { computed: path, op: c.op, ...v };
      return { account: path, op: c.op, ...v };
    }
    case 'performed': {
      const performed: { type: EventType; event?: string } = { type: c.type };
      if (c.type !== 'any' && (c.type === 'track' || c.event.trim() !== '')) performed.event = c.event;
      const node: AudienceNode & { performed: unknown } = { performed };
      if (c.where.length > 0) node.where = c.where.map((w) => ({ path: wherePath(w.path), op: w.op, ...opValue(w.op, w.value) }));
      const count = Number(c.count.trim());
      if (c.countOp !== 'once' && !(c.countOp === 'at_least' && count === 1)) node.count = { op: c.countOp, value: count };
      if (c.windowed) node.within = { value: Number(c.within.trim()), unit: c.unit };
      return node;
    }
    case 'audience':
      return { in_audience: c.name.trim() };
    case 'consent':
      return { consent: c.purpose };
  }
}

// ---- JSON → builder

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Builder conditions for a tree (a saved audience's `tree`), or null for what it cannot show. */
export function fromTree(node: unknown): Condition | null {
  if (!isObj(node)) return null;
  const id = newId();
  if (Array.isArray(node.and) || Array.isArray(node.or)) {
    const combine = Array.isArray(node.and) ? 'and' : 'or';
    const kids = (node[combine] as unknown[]).map(fromTree);
    if (kids.some((k) => k === null)) return null;
    return { id, kind: 'group', negate: false, combine, children: kids as Condition[] };
  }
  if ('not' in node) {
    const inner = fromTree(node.not);
    if (!inner) return null;
    if (!inner.negate) return { ...inner, negate: true };
    return { id, kind: 'group', negate: true, combine: 'and', children: [inner] }; // not not …
  }
  for (const ref of ['trait', 'computed', 'account'] as const) {
    if (typeof node[ref] === 'string') {
      const op = node.op as Op;
      if (!OPS.some((o) => o.op === op)) return null;
      return { id, kind: 'ref', negate: false, ref, path: node[ref] as string, op, value: 'value' in node ? valueText(node.value) : '' };
    }
  }
  if (isObj(node.performed)) {
    const p = node.performed;
    const type = p.type as EventType;
    if (!['track', 'page', 'screen', 'any'].includes(type)) return null;
    const where = Array.isArray(node.where) ? node.where.filter(isObj) : [];
    const count = isObj(node.count) ? node.count : null;
    const within = isObj(node.within) ? node.within : null;
    return {
      id,
      kind: 'performed',
      negate: false,
      type,
      event: typeof p.event === 'string' ? p.event : '',
      where: where.map((w) => ({
        id: newId(),
        path: typeof w.path === 'string' ? w.path.replace(/^properties\./, '') : '',
        op: w.op as Op,
        value: 'value' in w ? valueText(w.value) : '',
      })),
      countOp: count ? (count.op as CountOp) : 'once',
      count: count ? String(count.value) : '1',
      windowed: within !== null,
      within: within ? String(within.value) : '30',
      unit: within ? (within.unit as Unit) : 'days',
    };
  }
  if (typeof node.in_audience === 'string') return { id, kind: 'audience', negate: false, name: node.in_audience };
  if (typeof node.consent === 'string') return { id, kind: 'consent', negate: false, purpose: node.consent };
  return null;
}

// ---- Problems

export interface Problem {
  id: number; // the condition (or where row) at fault
  message: string;
}

const COUNT_LABEL: Record<CountOp, string> = { at_least: 'At least', at_most: 'At most', exactly: 'Exactly' };

function intIn(text: string, min: number, max: number): boolean {
  const t = text.trim();
  return /^[0-9]+$/.test(t) && Number(t) >= min && Number(t) <= max;
}

function valueProblem(op: Op, text: string): string | null {
  if (op === 'exists' || op === 'not_exists') return null;
  if (op === 'in') {
    const n = splitList(text).length;
    if (n === 0) return 'Type one or more values, separated by commas.';
    if (n > 256) return `A list takes at most 256 values, not ${n}.`;
    return null;
  }
  if (text.trim() === '') return 'Type a value to compare with ("" for an empty text).';
  const v = parseValue(text, op);
  if (['gt', 'gte', 'lt', 'lte'].includes(op) && typeof v !== 'number' && typeof v !== 'string') {
    return `${op === 'gt' || op === 'gte' ? 'Greater' : 'Less'} than takes a number or a text, not ${String(v)}.`;
  }
  return null;
}

/** What keeps the builder's conditions from making a valid audience, condition by condition. */
export function problems(root: Condition): Problem[] {
  const out: Problem[] = [];
  const visit = (c: Condition) => {
    switch (c.kind) {
      case 'group':
        if (c.children.length === 0) out.push({ id: c.id, message: 'This group is empty: add a condition or remove the group.' });
        c.children.forEach(visit);
        break;
      case 'ref': {
        const what = c.ref === 'trait' ? 'trait' : c.ref === 'computed' ? 'computed trait' : 'account trait';
        if (c.path.trim() === '') out.push({ id: c.id, message: `Type the ${what}'s name.` });
        else if (c.path.trim().split('.').some((s) => s === '' || s.includes('`') || /[\r\n]/.test(s)))
          out.push({ id: c.id, message: `A ${what} name is names separated by single dots, without backquotes or line breaks.` });
        const vp = valueProblem(c.op, c.value);
        if (vp) out.push({ id: c.id, message: vp });
        break;
      }
      case 'performed': {
        const bytes = new TextEncoder().encode(c.event).length;
        if (c.type === 'track' && c.event === '') out.push({ id: c.id, message: 'Pick or type the event.' });
        else if (c.type !== 'any' && bytes > 256) out.push({ id: c.id, message: 'An event, page or screen name is at most 256 bytes.' });
        if (c.where.length > 16) out.push({ id: c.id, message: `At most 16 property conditions, not ${c.where.length}.` });
        for (const w of c.where) {
          const path = w.path.trim();
          if (path === '' || path === 'properties' || path === 'context' || path.endsWith('.')) out.push({ id: w.id, message: 'Type the property (such as revenue or context.campaign.source).' });
          else if (/[`\r\n]/.test(path) || path.split('.').some((s) => s === '')) out.push({ id: w.id, message: 'A property is names separated by single dots, without backquotes or line breaks.' });
          const vp = valueProblem(w.op, w.value);
          if (vp) out.push({ id: w.id, message: vp });
        }
        if (c.countOp !== 'once') {
          const min = c.countOp === 'at_least' ? 1 : 0;
          if (!intIn(c.count, min, 1000)) out.push({ id: c.id, message: `${COUNT_LABEL[c.countOp]} needs a whole number of times from ${min} to 1000.` });
        }
        if (c.windowed && !intIn(c.within, 1, MAX_WITHIN[c.unit]))
          out.push({ id: c.id, message: `Within needs a whole number of ${c.unit} from 1 to ${MAX_WITHIN[c.unit]} (at most 3650 days).` });
        break;
      }
      case 'audience':
        if (!AUDIENCE_NAME.test(c.name.trim())) out.push({ id: c.id, message: 'Pick the audience.' });
        break;
      case 'consent': {
        const n = new TextEncoder().encode(c.purpose).length;
        if (n < 1 || n > 128) out.push({ id: c.id, message: 'Type the consent category (1 to 128 bytes, exact case), such as Advertising.' });
        break;
      }
    }
  };
  visit(root);
  return out;
}

/** Why a name cannot be an audience's, or null when it can. */
export function nameProblem(name: string): string | null {
  if (name === '') return 'Give the audience a name.';
  if (!AUDIENCE_NAME.test(name)) return 'A name is 1 to 64 characters of a-z, 0-9 and _, starting with a letter.';
  return null;
}
