import { describe, expect, it } from 'vitest';
import { emptyForm, formProblems, newStep, toDefinition, type JourneyForm } from './definition';

function cart(): JourneyForm {
  const f = emptyForm();
  f.name = 'cart_abandonment';
  f.triggerKind = 'event';
  f.event = ' Product Added ';
  f.reentry = 'after_exit';
  f.capOn = true;
  const w = { ...newStep('wait_for', []), name: 'wait_order', event: 'Order Completed', amount: 4, unit: 'hours' as const, onEvent: 'exit', onTimeout: 'is_pro' };
  const b = { ...newStep('branch', []), name: 'is_pro', condition: 'traits.plan = "pro"', then: 'next', else: 'remind' };
  const s1 = { ...newStep('send', []), name: 'remind_pro', destination: 'email', data: '{"template": "cart-pro"}' };
  const s2 = { ...newStep('send', []), name: 'remind', destination: 'email', data: '' };
  f.steps = [w, b, { ...s1 }, s2];
  return f;
}

describe('toDefinition', () => {
  it('writes docs/journeys.md’s cart abandonment (defaults left out)', () => {
    expect(toDefinition(cart())).toEqual({
      name: 'cart_abandonment',
      trigger: { event: 'Product Added' },
      reentry: 'after_exit',
      frequency_cap: { max_sends: 2, per_days: 7 },
      steps: [
        { name: 'wait_order', type: 'wait_for', event: 'Order Completed', timeout: '4 hours', on_event: 'exit' },
        { name: 'is_pro', type: 'branch', condition: 'traits.plan = "pro"', else: 'remind' },
        { name: 'remind_pro', type: 'send', destination: 'email', data: { template: 'cart-pro' } },
        { name: 'remind', type: 'send', destination: 'email' },
      ],
    });
    expect(formProblems(cart())).toEqual([]);
  });
  it('writes an audience trigger, re-entry after days and waits', () => {
    const f = emptyForm();
    f.name = 'win_back';
    f.audience = 'lapsed';
    f.reentry = 'after_days';
    f.reentryDays = 90;
    f.steps = [{ ...newStep('wait', []), name: 'week', amount: 1, unit: 'weeks' }, { ...newStep('exit', []), name: 'done' }];
    expect(toDefinition(f)).toEqual({
      name: 'win_back',
      trigger: { audience: 'lapsed' },
      reentry: 'after_days',
      reentry_days: 90,
      steps: [
        { name: 'week', type: 'wait', duration: '1 week' },
        { name: 'done', type: 'exit' },
      ],
    });
  });
  it('names new steps uniquely', () => {
    const a = newStep('wait', []);
    const b = newStep('wait', [a]);
    expect(a.name).toBe('wait_1');
    expect(b.name).toBe('wait_2');
  });
});

describe('formProblems', () => {
  it('says what is missing', () => {
    const p = formProblems(emptyForm());
    expect(p).toContain('Pick the audience that starts the journey.');
    expect(p).toContain('Add at least one step.');
    expect(p.some((x) => x.startsWith('The name'))).toBe(true);
  });
  it('refuses backward jumps, duplicate names, bad data and out-of-range waits', () => {
    const f = cart();
    f.steps[2].else = 'wait_order';
    f.steps[1].else = 'wait_order';
    f.steps[3].name = 'remind_pro';
    f.steps[2].data = '[1]';
    f.steps[0].amount = 0;
    const p = formProblems(f);
    expect(p).toContain('Step 2: “else” must go to a later step or exit.');
    expect(p).toContain('Step 4: another step is already named “remind_pro”.');
    expect(p).toContain('Step 3: the data must be a JSON object, such as {"template": "welcome"}.');
    expect(p).toContain('Step 1: the timeout must be a whole number from 1 minute to 3650 days.');
  });
  it('refuses "exit" as a step name and a cap out of range', () => {
    const f = cart();
    f.steps[3].name = 'exit';
    f.maxSends = 101;
    const p = formProblems(f);
    expect(p).toContain('Step 4: the name must be like a journey’s (and not “exit”).');
    expect(p).toContain('The frequency cap allows 1 to 100 sends.');
  });
});
