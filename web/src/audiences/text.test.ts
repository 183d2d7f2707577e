// Tests of text.ts: the text written for a tree is the text docs/audiences.md gives for it (read
// from the doc itself), and the canonical spellings the server uses (checked against rapport serve).
import { describe, expect, it } from 'vitest';
import doc from '../../../docs/audiences.md?raw';
import { formatNumber, formatPath, formatWherePath, quote, toText } from './text';
import type { AudienceNode } from './tree';

/** The doc's side-by-side examples: each ```audience block followed directly by a ```json block. */
function docPairs(): Array<{ text: string; tree: AudienceNode }> {
  const blocks: Array<{ lang: string; body: string; start: number; end: number }> = [];
  const re = /^```(\w*)\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(doc); m; m = re.exec(doc)) blocks.push({ lang: m[1], body: m[2], start: m.index, end: m.index + m[0].length });
  const pairs: Array<{ text: string; tree: AudienceNode }> = [];
  for (let i = 0; i + 1 < blocks.length; i++) {
    const [a, b] = [blocks[i], blocks[i + 1]];
    if (a.lang === 'audience' && b.lang === 'json' && doc.slice(a.end, b.start).trim() === '') {
      pairs.push({ text: a.body.replace(/\s+/g, ' ').trim(), tree: JSON.parse(b.body) as AudienceNode });
    }
  }
  return pairs;
}

describe('toText', () => {
  it('writes every JSON example of docs/audiences.md as the text beside it', () => {
    const pairs = docPairs();
    expect(pairs.length).toBeGreaterThanOrEqual(5);
    for (const { text, tree } of pairs) expect(toText(tree)).toBe(text);
  });

  it('writes the first example of the doc', () => {
    expect(
      toText({
        and: [
          { trait: 'plan', op: 'eq', value: 'pro' },
          {
            performed: { type: 'track', event: 'Order Completed' },
            where: [{ path: 'properties.revenue', op: 'gt', value: 50 }],
            count: { op: 'at_least', value: 2 },
            within: { value: 30, unit: 'days' },
          },
          { not: { performed: { type: 'track', event: 'Ticket Opened' }, within: { value: 7, unit: 'days' } } },
        ],
      }),
    ).toBe('traits.plan = "pro" and performed "Order Completed" where revenue > 50 at least 2 times within 30 days and not performed "Ticket Opened" within 7 days');
  });

  it('writes cookbook audiences', () => {
    expect(toText({ trait: 'email', op: 'contains', value: '@gmail.com' })).toBe('traits.email contains "@gmail.com"');
    expect(toText({ and: [{ trait: 'phone', op: 'not_exists' }, { computed: 'orders_30d', op: 'gte', value: 1 }] })).toBe(
      'traits.phone is not set and computed.orders_30d >= 1',
    );
    expect(toText({ performed: { type: 'track', event: 'Order Completed' }, count: { op: 'exactly', value: 1 }, within: { value: 365, unit: 'days' } })).toBe(
      'performed "Order Completed" exactly 1 time within 365 days',
    );
    expect(toText({ performed: { type: 'screen', event: 'Home' }, count: { op: 'at_least', value: 10 }, within: { value: 2, unit: 'weeks' } })).toBe(
      'performed screen "Home" at least 10 times within 2 weeks',
    );
    expect(toText({ or: [{ performed: { type: 'page', event: 'Demo' }, within: { value: 1, unit: 'hours' } }, { performed: { type: 'track', event: 'Demo Requested' }, within: { value: 1, unit: 'days' } }] })).toBe(
      'performed page "Demo" within 1 hour or performed "Demo Requested" within 1 day',
    );
    expect(toText({ and: [{ or: [{ trait: 'plan', op: 'eq', value: 'pro' }, { trait: 'plan', op: 'eq', value: 'business' }] }, { not: { performed: { type: 'any' }, within: { value: 14, unit: 'days' } } }] })).toBe(
      '(traits.plan = "pro" or traits.plan = "business") and not performed any event within 14 days',
    );
    expect(toText({ trait: 'cancel_reason', op: 'in', value: ['price', 'missing_feature', null] })).toBe('traits.cancel_reason in ["price", "missing_feature", null]');
    expect(toText({ performed: { type: 'track', event: 'Order Completed' }, where: [{ path: 'properties.coupon', op: 'exists' }], count: { op: 'at_least', value: 3 } })).toBe(
      'performed "Order Completed" where coupon is set at least 3 times',
    );
  });

  it('keeps the groups it was given and adds only the parentheses that are needed', () => {
    const a = { trait: 'a', op: 'eq', value: 1 } as const;
    const b = { trait: 'b', op: 'eq', value: 2 } as const;
    const c = { trait: 'c', op: 'eq', value: 3 } as const;
    expect(toText({ or: [{ and: [a, b] }, c] })).toBe('traits.a = 1 and traits.b = 2 or traits.c = 3');
    expect(toText({ and: [{ or: [a, b] }, c] })).toBe('(traits.a = 1 or traits.b = 2) and traits.c = 3');
    expect(toText({ or: [a, { or: [b, c] }] })).toBe('traits.a = 1 or (traits.b = 2 or traits.c = 3)');
    expect(toText({ and: [a, { and: [b, c] }] })).toBe('traits.a = 1 and (traits.b = 2 and traits.c = 3)');
    expect(toText({ not: { and: [a, b] } })).toBe('not (traits.a = 1 and traits.b = 2)');
    expect(toText({ not: { not: { in_audience: 'vip' } } })).toBe('not not in audience "vip"');
  });

  it('leaves "at least once" and "ever" out, and writes counts and windows in the singular for 1', () => {
    expect(toText({ performed: { type: 'track', event: 'A' }, count: { op: 'at_least', value: 1 } })).toBe('performed "A"');
    expect(toText({ performed: { type: 'any' }, count: { op: 'at_most', value: 1 }, within: { value: 1, unit: 'weeks' } })).toBe(
      'performed any event at most 1 time within 1 week',
    );
    expect(toText({ performed: { type: 'page' }, count: { op: 'at_most', value: 0 }, within: { value: 1, unit: 'minutes' } })).toBe(
      'performed page at most 0 times within 1 minute',
    );
  });
});

describe('escaping and names (as rapport serve writes them)', () => {
  it('quotes text with JSON escapes and keeps other characters', () => {
    expect(quote('q"\\/\n\té😀\u0001\u007f')).toBe('"q\\"\\\\/\\n\\té😀\\u0001\u007f"');
    expect(toText({ trait: 'a b.c', op: 'eq', value: 'say "hi"' })).toBe('traits.`a b`.c = "say \\"hi\\""');
    expect(toText({ consent: 'Email' })).toBe('consented to "Email"');
  });

  it('backquotes names that are not plain, and keeps digits', () => {
    expect(formatPath('and.or-x.$y._z.9a')).toBe('and.or-x.$y._z.`9a`');
    expect(formatPath('addresses.0.city')).toBe('addresses.0.city');
    expect(formatPath('favourite colour')).toBe('`favourite colour`');
    expect(formatPath('日本.city')).toBe('`日本`.city');
  });

  it('keeps properties. before words of the language and names that are not plain', () => {
    expect(formatWherePath('properties.revenue')).toBe('revenue');
    expect(formatWherePath('properties.x_y.z')).toBe('x_y.z');
    expect(formatWherePath('properties.time')).toBe('properties.time');
    expect(formatWherePath('properties.Page')).toBe('properties.Page');
    expect(formatWherePath('properties.properties')).toBe('properties.properties');
    expect(formatWherePath('properties.context')).toBe('properties.context');
    expect(formatWherePath('properties.1st')).toBe('properties.`1st`');
    expect(formatWherePath('properties.0')).toBe('properties.0');
    expect(formatWherePath('context.campaign.source')).toBe('context.campaign.source');
  });

  it('writes numbers like the server', () => {
    expect(formatNumber(50)).toBe('50');
    expect(formatNumber(-0.5)).toBe('-0.5');
    expect(formatNumber(0.1)).toBe('0.1');
    expect(formatNumber(-0)).toBe('0');
    expect(formatNumber(123456789012)).toBe('123456789012');
    expect(formatNumber(1e21)).toBe('1e+21');
    expect(formatNumber(1.5e-7)).toBe('1.5e-07');
    expect(formatNumber(0.000001)).toBe('1e-06');
    expect(formatNumber(0.0001)).toBe('0.0001');
    expect(formatNumber(1e300)).toBe('1e+300');
  });
});
