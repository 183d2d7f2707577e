import { describe, expect, it } from 'vitest';
import { flowRows, triggerText } from './flow';

const steps = [
  { name: 'wait_order', type: 'wait_for', event: 'Order Completed', timeout: '4 hours', on_event: 'exit', on_timeout: 'is_pro' },
  { name: 'is_pro', type: 'branch', condition: 'traits.plan = "pro"', else: 'remind' },
  { name: 'remind_pro', type: 'send', destination: 'email', data: { template: 'cart-pro' }, next: 'exit' },
  { name: 'remind', type: 'send', destination: 'email' },
];
const counts = [
  { name: 'wait_order', type: 'wait_for', now: 20, entered: 120, exited: 100, received: 61, timedOut: 39 },
  { name: 'remind', type: 'send', now: 0, entered: 39, exited: 39, sent: 37, skipped: { frequencyCap: 1, consent: 0, destination: 1 } },
];

describe('flowRows', () => {
  it('lays out steps in order with their ways out', () => {
    const rows = flowRows(steps, counts);
    expect(rows.map((r) => r.name)).toEqual(['wait_order', 'is_pro', 'remind_pro', 'remind']);
    expect(rows[0].exits).toEqual([
      { label: 'event', to: 'exit', count: 61 },
      { label: 'timeout', to: 'is_pro', count: 39 },
    ]);
    expect(rows[1].exits).toEqual([
      { label: 'then', to: 'remind_pro', count: undefined },
      { label: 'else', to: 'remind', count: undefined },
    ]);
    expect(rows[2].exits).toEqual([{ label: 'next', to: 'exit' }]);
    expect(rows[3].exits).toEqual([{ label: 'next', to: 'exit' }]);
  });
  it('matches counts by name and sums skipped sends', () => {
    const rows = flowRows(steps, counts);
    expect(rows[0].counts).toEqual([
      { label: 'now', value: 20 },
      { label: 'entered', value: 120 },
      { label: 'exited', value: 100 },
    ]);
    expect(rows[3].counts).toContainEqual({ label: 'sent', value: 37 });
    expect(rows[3].counts).toContainEqual({ label: 'skipped', value: 2 });
    expect(rows[1].counts).toEqual([]);
  });
  it('marks steps reached by a jump', () => {
    const rows = flowRows(steps, counts);
    expect(rows[3].jumpsFrom).toEqual(['is_pro']);
    expect(rows[1].jumpsFrom).toEqual([]); // wait_order's timeout falls through to it
  });
  it('summarizes steps in words', () => {
    const rows = flowRows(steps);
    expect(rows[0].summary).toBe('Wait up to 4 hours for “Order Completed”');
    expect(rows[2].summary).toBe('Send to email {"template":"cart-pro"}');
  });
});

describe('triggerText', () => {
  it('says what starts a journey', () => {
    expect(triggerText({ audience: 'lapsed' })).toBe('enters audience “lapsed”');
    expect(triggerText({ event: 'Product Added', where: [{}] })).toBe('event “Product Added” (1 condition)');
    expect(triggerText(null)).toBe('—');
  });
});
