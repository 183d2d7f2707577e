// Tests of events.ts: titles, who and details of stored events.
import { describe, expect, it } from 'vitest';
import { eventDetails, eventKey, eventTitle, eventWho } from './events';

describe('eventTitle', () => {
  it('names each call type', () => {
    expect(eventTitle({ type: 'track', event: 'Order Completed' })).toBe('Order Completed');
    expect(eventTitle({ type: 'page', name: 'Pricing' })).toBe('page: Pricing');
    expect(eventTitle({ type: 'page' })).toBe('page');
    expect(eventTitle({ type: 'screen', name: '' })).toBe('screen');
    expect(eventTitle({ type: 'identify' })).toBe('identify');
    expect(eventTitle({})).toBe('event');
  });
});

describe('eventWho', () => {
  it('prefers the user id and shortens long anonymous ids', () => {
    expect(eventWho({ userId: 'u42', anonymousId: 'a' })).toBe('user u42');
    expect(eventWho({ userId: 7 })).toBe('user 7');
    expect(eventWho({ anonymousId: '6f1c2a3b-4d5e-6f70-8192-a3b4c5d6e7f8' })).toBe('anonymous 6f1c2a3b-4d5…');
    expect(eventWho({})).toBe('no identifier');
  });
});

describe('eventDetails', () => {
  it('shows a few properties or traits', () => {
    expect(eventDetails({ type: 'track', properties: { revenue: 1234.5, currency: 'EUR' } })).toBe('revenue: 1,234.5 · currency: EUR');
    expect(eventDetails({ type: 'identify', traits: { plan: 'pro', a: 1, b: 2, c: 3 } })).toBe('plan: pro · a: 1 · b: 2 · +1 more');
    expect(eventDetails({ type: 'track', properties: { long: 'x'.repeat(60) } })).toBe(`long: ${'x'.repeat(39)}…`);
    expect(eventDetails({ type: 'track' })).toBe('');
    expect(eventDetails({ type: 'track', properties: { n: null, o: { a: 1 } } })).toBe('n: – · o: {"a":1}');
  });
  it('keys by messageId', () => {
    expect(eventKey({ messageId: 'm1' }, 3)).toBe('m1');
    expect(eventKey({}, 3)).toBe('i3');
  });
});
