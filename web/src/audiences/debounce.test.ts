// Tests of debounce.ts: only the last call runs, after the delay; preview bodies and keys; error positions.
import { describe, expect, it } from 'vitest';
import { createDebouncer, errorPosition, previewRequest } from './debounce';

function fakeClock() {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    timers: {
      set: (fn: () => void, ms: number) => {
        timers.set(++seq, { at: now + ms, fn });
        return seq;
      },
      clear: (h: unknown) => void timers.delete(h as number),
    },
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...timers]) if (t.at <= now) {
        timers.delete(id);
        t.fn();
      }
    },
  };
}

describe('createDebouncer', () => {
  it('runs only the last call, 400 ms after it', () => {
    const clock = fakeClock();
    const d = createDebouncer(400, clock.timers);
    const ran: string[] = [];
    d.call(() => ran.push('a'));
    clock.advance(300);
    d.call(() => ran.push('b'));
    clock.advance(399);
    expect(ran).toEqual([]);
    expect(d.pending).toBe(true);
    clock.advance(1);
    expect(ran).toEqual(['b']);
    expect(d.pending).toBe(false);
  });
  it('can be cancelled', () => {
    const clock = fakeClock();
    const d = createDebouncer(400, clock.timers);
    const ran: string[] = [];
    d.call(() => ran.push('a'));
    d.cancel();
    clock.advance(1000);
    expect(ran).toEqual([]);
  });
});

describe('previewRequest', () => {
  it('asks with the tree, and the same key for the same tree', () => {
    const t = { trait: 'plan', op: 'eq', value: 'pro' } as const;
    expect(previewRequest(t)).toEqual({ body: { tree: t }, key: '{"tree":{"trait":"plan","op":"eq","value":"pro"}}' });
    expect(previewRequest(null)).toBeNull();
  });
});

describe('errorPosition', () => {
  it('reads the line and column of a text error', () => {
    expect(errorPosition({ message: 'x', line: 2, column: 44 })).toEqual({ line: 2, column: 44 });
    expect(errorPosition({ message: 'line 1, column 15: expected a value' })).toEqual({ line: 1, column: 15 });
    expect(errorPosition({ message: 'audience: "and" must be an array' })).toBeNull();
  });
});
