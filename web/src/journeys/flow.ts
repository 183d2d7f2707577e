// A journey drawn as a flow: its steps top to bottom, each with its counts from
// GET /api/v1/journeys/{name}, and where it goes next — one way for most steps, two ways side by
// side for `wait_for` (event / timeout) and `branch` (then / else). Pure data; the page draws it.

export interface StepDef {
  name: string;
  type: string;
  [key: string]: unknown;
}

export interface StepCounts {
  name: string;
  type: string;
  now?: number;
  entered?: number;
  exited?: number;
  sent?: number;
  skipped?: { frequencyCap?: number; consent?: number; destination?: number };
  received?: number;
  timedOut?: number;
  then?: number;
  else?: number;
}

export interface Exit {
  label: string; // "next", "event", "timeout", "then", "else"
  to: string; // a step's name, or "exit"
  count?: number; // how many went this way, when the API counts it
}

export interface FlowRow {
  index: number;
  name: string;
  type: string;
  summary: string; // what it does, in words
  counts: Array<{ label: string; value: number }>;
  exits: Exit[];
  jumpsFrom: string[]; // earlier steps that reach this one other than by falling through
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The trigger in words: `entering audience "lapsed"` or `event "Signed Up"` (+ conditions). */
export function triggerText(trigger: unknown): string {
  if (!trigger || typeof trigger !== 'object') return '—';
  const t = trigger as { audience?: unknown; event?: unknown; where?: unknown };
  if (typeof t.audience === 'string') return `enters audience “${t.audience}”`;
  if (typeof t.event === 'string') {
    const n = Array.isArray(t.where) ? t.where.length : 0;
    return `event “${t.event}”${n ? ` (${n} condition${n === 1 ? '' : 's'})` : ''}`;
  }
  return '—';
}

function summary(s: StepDef): string {
  switch (s.type) {
    case 'wait':
      return `Wait ${str(s.duration)}`;
    case 'wait_for':
      return `Wait up to ${str(s.timeout)} for “${str(s.event)}”`;
    case 'branch':
      return `If ${typeof s.condition === 'string' ? s.condition : JSON.stringify(s.condition)}`;
    case 'send':
      return `Send to ${str(s.destination)}${s.data !== undefined ? ' ' + JSON.stringify(s.data) : ''}`;
    case 'exit':
      return 'Exit';
    default:
      return s.type;
  }
}

function counts(c: StepCounts | undefined, type: string): Array<{ label: string; value: number }> {
  if (!c) return [];
  const out: Array<{ label: string; value: number }> = [];
  const add = (label: string, v: unknown) => {
    const n = num(v);
    if (n !== undefined) out.push({ label, value: n });
  };
  add('now', c.now);
  add('entered', c.entered);
  add('exited', c.exited);
  if (type === 'send') {
    add('sent', c.sent);
    const sk = c.skipped;
    if (sk) add('skipped', (num(sk.frequencyCap) ?? 0) + (num(sk.consent) ?? 0) + (num(sk.destination) ?? 0));
  }
  return out;
}

/** The rows of the flow: one per step, in order, with counts matched by step name. */
export function flowRows(steps: readonly StepDef[], stepCounts: readonly StepCounts[] = []): FlowRow[] {
  const byName = new Map(stepCounts.map((c) => [c.name, c]));
  const following = (i: number) => steps[i + 1]?.name ?? 'exit';
  const to = (v: unknown, i: number) => (typeof v === 'string' && v !== '' ? v : following(i));
  const rows: FlowRow[] = steps.map((s, i) => {
    const c = byName.get(s.name);
    let exits: Exit[];
    switch (s.type) {
      case 'wait_for':
        exits = [
          { label: 'event', to: to(s.on_event, i), count: num(c?.received) },
          { label: 'timeout', to: to(s.on_timeout, i), count: num(c?.timedOut) },
        ];
        break;
      case 'branch':
        exits = [
          { label: 'then', to: to(s.then, i), count: num(c?.then) },
          { label: 'else', to: to(s.else, i), count: num(c?.else) },
        ];
        break;
      case 'exit':
        exits = [];
        break;
      default:
        exits = [{ label: 'next', to: to(s.next, i) }];
    }
    return { index: i, name: s.name, type: s.type, summary: summary(s), counts: counts(c, s.type), exits, jumpsFrom: [] };
  });
  rows.forEach((r, i) => {
    for (const e of r.exits) {
      if (e.to === 'exit' || e.to === following(i)) continue;
      const target = rows.find((x) => x.name === e.to);
      if (target && !target.jumpsFrom.includes(r.name)) target.jumpsFrom.push(r.name);
    }
  });
  return rows;
}
