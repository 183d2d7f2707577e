// Tests of tree.ts: the builder's conditions → the JSON form of docs/audiences.md and back, value
// boxes → JSON values, and the problems shown beside the builder.
import { describe, expect, it } from 'vitest';
import { toText } from './text';
import {
  emptyRoot,
  fromTree,
  nameProblem,
  newCondition,
  newWhereRow,
  parseValue,
  problems,
  splitList,
  toTree,
  valueText,
  wherePath,
  type AudienceNode,
  type Condition,
} from './tree';

function group(combine: 'and' | 'or', children: Condition[], negate = false): Condition {
  return { ...newCondition('group'), combine, children, negate } as Condition;
}
function trait(path: string, op: Condition & { kind: 'ref' } extends { op: infer O } ? O : never, value: string, negate = false): Condition {
  return { ...newCondition('ref'), path, op, value, negate } as Condition;
}

describe('toTree', () => {
  it('emits the JSON form of the doc’s first example', () => {
    const orders = {
      ...newCondition('performed'),
      event: 'Order Completed',
      where: [{ ...newWhereRow(), path: 'revenue', op: 'gt', value: '50' }],
      countOp: 'at_least',
      count: '2',
      windowed: true,
      within: '30',
      unit: 'days',
    } as Condition;
    const tickets = { ...newCondition('performed'), event: 'Ticket Opened', negate: true, windowed: true, within: '7' } as Condition;
    const tree = toTree(group('and', [trait('plan', 'eq', 'pro'), orders, tickets]));
    expect(tree).toEqual({
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
    });
    // Keys in the doc's order, so the JSON reads as the doc's.
    expect(JSON.stringify(tree)).toBe(
      '{"and":[{"trait":"plan","op":"eq","value":"pro"},{"performed":{"type":"track","event":"Order Completed"},"where":[{"path":"properties.revenue","op":"gt","value":50}],"count":{"op":"at_least","value":2},"within":{"value":30,"unit":"days"}},{"not":{"performed":{"type":"track","event":"Ticket Opened"},"within":{"value":7,"unit":"days"}}}]}',
    );
  });

  it('makes a group of one condition that condition, and an empty group nothing', () => {
    expect(toTree(group('or', [trait('plan', 'eq', 'pro')]))).toEqual({ trait: 'plan', op: 'eq', value: 'pro' });
    expect(toTree(group('or', [trait('plan', 'eq', 'pro')], true))).toEqual({ not: { trait: 'plan', op: 'eq', value: 'pro' } });
    expect(toTree(group('and', []))).toBeNull();
    expect(toTree(group('and', [group('or', []), trait('a', 'exists', '')]))).toEqual({ trait: 'a', op: 'exists' });
  });

  it('writes the other kinds', () => {
    const page = { ...newCondition('performed'), type: 'page', event: '', where: [{ ...newWhereRow(), path: 'context.campaign.source', value: 'newsletter' }], windowed: true, within: '7' } as Condition;
    expect(toText(toTree(page)!)).toBe('performed page where context.campaign.source = "newsletter" within 7 days');
    const any = { ...newCondition('performed'), type: 'any', event: 'ignored', countOp: 'at_most', count: '0' } as Condition;
    expect(toTree(any)).toEqual({ performed: { type: 'any' }, count: { op: 'at_most', value: 0 } });
    const once = { ...newCondition('performed'), event: 'A', countOp: 'at_least', count: '1' } as Condition;
    expect(toTree(once)).toEqual({ performed: { type: 'track', event: 'A' } });
    expect(toTree({ ...newCondition('audience'), name: ' vip ', negate: true } as Condition)).toEqual({ not: { in_audience: 'vip' } });
    expect(toTree({ ...newCondition('consent'), purpose: 'Email' } as Condition)).toEqual({ consent: 'Email' });
    expect(toTree({ ...newCondition('ref'), ref: 'account', path: 'plan', op: 'in', value: 'enterprise, "a,b", 3' } as Condition)).toEqual({
      account: 'plan',
      op: 'in',
      value: ['enterprise', 'a,b', 3],
    });
    expect(toTree({ ...newCondition('ref'), ref: 'computed', path: 'orders_30d', op: 'gte', value: '2' } as Condition)).toEqual({ computed: 'orders_30d', op: 'gte', value: 2 });
  });
});

describe('fromTree', () => {
  it('reads back every JSON example of the doc', () => {
    const trees: AudienceNode[] = [
      { and: [{ account: 'plan', op: 'eq', value: 'enterprise' }, { trait: 'role', op: 'in', value: ['admin', 'owner'] }] },
      { performed: { type: 'page' }, where: [{ path: 'context.campaign.source', op: 'eq', value: 'newsletter' }], within: { value: 7, unit: 'days' } },
      { or: [{ not: { consent: 'Email' } }, { trait: 'unsubscribed', op: 'eq', value: true }] },
      { and: [{ in_audience: 'high_value' }, { not: { in_audience: 'vip' } }, { performed: { type: 'any' }, within: { value: 30, unit: 'minutes' } }] },
      { and: [{ trait: 'a', op: 'eq', value: '42' }, { and: [{ trait: 'b', op: 'eq', value: 'true' }, { not: { not: { trait: 'c', op: 'exists' } } }] }] },
      { performed: { type: 'track', event: 'A' }, where: [{ path: 'properties.time', op: 'gt', value: 5 }], count: { op: 'exactly', value: 0 } },
    ];
    for (const t of trees) expect(toTree(fromTree(t)!)).toEqual(t);
  });
  it('refuses what it does not know', () => {
    expect(fromTree({ xor: [] })).toBeNull();
    expect(fromTree({ trait: 'a', op: 'like', value: 1 })).toBeNull();
  });
});

describe('values', () => {
  it('reads numbers, true, false, null and quoted text', () => {
    expect(parseValue('42', 'eq')).toBe(42);
    expect(parseValue(' -3.5 ', 'gt')).toBe(-3.5);
    expect(parseValue('1e6', 'eq')).toBe(1e6);
    expect(parseValue('true', 'eq')).toBe(true);
    expect(parseValue('null', 'neq')).toBe(null);
    expect(parseValue('"42"', 'eq')).toBe('42');
    expect(parseValue('"a\\"b"', 'eq')).toBe('a"b');
    expect(parseValue('pro', 'eq')).toBe('pro');
    expect(parseValue('42', 'contains')).toBe('42');
    expect(parseValue('"unclosed', 'eq')).toBe('"unclosed');
  });
  it('splits lists outside quotes and shows values back', () => {
    expect(splitList('DE, AT ,"C,H", ')).toEqual(['DE', 'AT', '"C,H"']);
    expect(valueText(['DE', 'a,b', 3, null, '7'])).toBe('DE, "a,b", 3, null, "7"');
    for (const v of ['pro', '42', 'true', ' x', 'a"b', 7, false, null]) expect(parseValue(valueText(v), 'eq')).toEqual(v);
  });
  it('gives where paths their properties. prefix', () => {
    expect(wherePath('revenue')).toBe('properties.revenue');
    expect(wherePath('properties.time')).toBe('properties.time');
    expect(wherePath(' context.page.url ')).toBe('context.page.url');
  });
});

describe('problems', () => {
  it('has none for a complete audience', () => {
    expect(problems(group('and', [trait('plan', 'eq', 'pro')]))).toEqual([]);
  });
  it('names what is missing, at the condition at fault', () => {
    const empty = emptyRoot();
    expect(problems(empty)).toEqual([{ id: empty.children[0].id, message: "Type the trait's name." }, { id: empty.children[0].id, message: 'Type a value to compare with ("" for an empty text).' }]);
    const ev = { ...newCondition('performed'), countOp: 'at_least', count: '0', windowed: true, within: '4000', unit: 'days' } as Condition;
    expect(problems(ev).map((p) => p.message)).toEqual([
      'Pick or type the event.',
      'At least needs a whole number of times from 1 to 1000.',
      'Within needs a whole number of days from 1 to 3650 (at most 3650 days).',
    ]);
    expect(problems({ ...newCondition('performed'), type: 'any', countOp: 'at_most', count: '0' } as Condition)).toEqual([]);
    expect(problems({ ...newCondition('performed'), event: 'A', windowed: true, within: '522', unit: 'weeks' } as Condition)[0].message).toMatch(/1 to 521/);
    expect(problems(trait('a..b', 'exists', ''))[0].message).toMatch(/single dots/);
    expect(problems(trait('a', 'in', ' , '))[0].message).toMatch(/separated by commas/);
    expect(problems(trait('a', 'gt', 'true'))[0].message).toBe('Greater than takes a number or a text, not true.');
    expect(problems(group('or', []))[0].message).toMatch(/empty/);
    expect(problems({ ...newCondition('audience'), name: '' } as Condition)[0].message).toBe('Pick the audience.');
    expect(problems({ ...newCondition('consent'), purpose: '' } as Condition)[0].message).toMatch(/consent category/);
  });
  it('checks audience names as the server does', () => {
    expect(nameProblem('pro_buyers')).toBeNull();
    expect(nameProblem('')).toMatch(/name/);
    expect(nameProblem('VIP')).toMatch(/a-z/);
    expect(nameProblem('1a')).toMatch(/starting with a letter/);
    expect(nameProblem('a'.repeat(65))).not.toBeNull();
  });
});
