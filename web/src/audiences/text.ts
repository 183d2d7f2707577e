// An audience's JSON tree written in the audience language (docs/audiences.md), as the server
// writes its canonical text: lower-case keywords, one line, only the parentheses that are needed
// plus those that keep a group (`a and (b and c)`), `revenue` for `properties.revenue`, strings
// with JSON escapes, names that are not plain in backquotes, numbers as the server prints them.
import type { AudienceNode, Op, Scalar, WhereNode } from './tree';

/** The words of the language: a `where` property with one of these names keeps `properties.`. */
const KEYWORDS = new Set(
  (
    'and or not performed where within at least most exactly once time times in audience consented to is set ' +
    'contains page screen any event traits computed account properties context true false null ' +
    'minute minutes hour hours day days week weeks'
  ).split(' '),
);

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;
const DIGITS = /^[0-9]+$/;

/** A text value: double quotes, JSON escapes (`\"`, `\\`, `\n`, `\u0001`), other characters as they are. */
export function quote(s: string): string {
  return JSON.stringify(s);
}

/**
 * A number as the server writes it (C's `%.17g` with the shortest digits that read back the same):
 * `42`, `-3.5`, `0.1`, `123456789012`; an exponent below -4 or from 17 up: `1e+21`, `1.5e-07`.
 */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return 'null';
  if (n === 0) return '0';
  const [mantissa, exp] = n.toExponential().split('e');
  const e = Number(exp);
  if (e < -4 || e >= 17) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(n); // JS writes these without an exponent, with the same shortest digits
}

export function formatValue(v: Scalar | Scalar[] | undefined): string {
  if (Array.isArray(v)) return `[${v.map((x) => formatValue(x)).join(', ')}]`;
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number') return formatNumber(v);
  if (v === undefined || v === null) return 'null';
  return String(v);
}

/** One name of a path: plain, digits, or in backquotes. */
export function segment(name: string): string {
  return IDENT.test(name) || DIGITS.test(name) ? name : `\`${name}\``;
}

export function formatPath(path: string): string {
  return path.split('.').map(segment).join('.');
}

const SYMBOL: Record<Exclude<Op, 'in' | 'contains' | 'exists' | 'not_exists'>, string> = {
  eq: '=',
  neq: '!=',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
};

/** The comparison after a path: `= "pro"`, `in ["DE", "AT"]`, `contains "@"`, `is set`. */
export function formatComparison(op: Op, value: Scalar | Scalar[] | undefined): string {
  switch (op) {
    case 'exists':
      return 'is set';
    case 'not_exists':
      return 'is not set';
    case 'in':
      return `in ${formatValue(Array.isArray(value) ? value : [value ?? null])}`;
    case 'contains':
      return `contains ${formatValue(value)}`;
    default:
      return `${SYMBOL[op]} ${formatValue(value)}`;
  }
}

/**
 * A `where` path as written after `where`: `properties.` left out unless the first name after it
 * is a word of the language, `properties` or `context`, or not a plain name.
 */
export function formatWherePath(path: string): string {
  if (path.startsWith('properties.')) {
    const rest = path.slice('properties.'.length);
    const first = rest.split('.')[0];
    if (IDENT.test(first) && !KEYWORDS.has(first.toLowerCase())) return formatPath(rest);
  }
  return formatPath(path);
}

function formatWhere(w: WhereNode): string {
  return `${formatWherePath(w.path)} ${formatComparison(w.op, w.value)}`;
}

function plural(n: number, word: string): string {
  return `${n} ${n === 1 ? word : word + 's'}`;
}

type Kind = 'or' | 'and' | 'not' | 'primary';

function kindOf(node: AudienceNode): Kind {
  if ('or' in node) return 'or';
  if ('and' in node) return 'and';
  if ('not' in node) return 'not';
  return 'primary';
}

/** The audience language text of a tree, on one line. */
export function toText(node: AudienceNode): string {
  if ('and' in node || 'or' in node) {
    const kind = 'and' in node ? 'and' : 'or';
    const kids = 'and' in node ? node.and : (node as { or: AudienceNode[] }).or;
    return kids
      .map((k) => {
        const kk = kindOf(k);
        // A group of the same kind keeps its parentheses; an `or` inside an `and` needs them.
        const paren = kk === kind || (kind === 'and' && kk === 'or');
        return paren ? `(${toText(k)})` : toText(k);
      })
      .join(` ${kind} `);
  }
  if ('not' in node) {
    const inner = node.not;
    const kk = kindOf(inner);
    return kk === 'and' || kk === 'or' ? `not (${toText(inner)})` : `not ${toText(inner)}`;
  }
  if ('trait' in node) return `traits.${formatPath(node.trait)} ${formatComparison(node.op, node.value)}`;
  if ('computed' in node) return `computed.${formatPath(node.computed)} ${formatComparison(node.op, node.value)}`;
  if ('account' in node) return `account.${formatPath(node.account)} ${formatComparison(node.op, node.value)}`;
  if ('in_audience' in node) return `in audience ${quote(node.in_audience)}`;
  if ('consent' in node) return `consented to ${quote(node.consent)}`;
  const p = node.performed;
  let s = 'performed ';
  if (p.type === 'any') s += 'any event';
  else if (p.type === 'track') s += quote(p.event ?? '');
  else s += p.event !== undefined ? `${p.type} ${quote(p.event)}` : p.type;
  if (node.where && node.where.length > 0) s += ' where ' + node.where.map(formatWhere).join(' and ');
  if (node.count && !(node.count.op === 'at_least' && node.count.value === 1)) {
    const words = node.count.op === 'at_least' ? 'at least' : node.count.op === 'at_most' ? 'at most' : 'exactly';
    s += ` ${words} ${plural(node.count.value, 'time')}`;
  }
  if (node.within) s += ` within ${plural(node.within.value, node.within.unit.replace(/s$/, ''))}`;
  return s;
}
