// The journey builder's form as data, and the definition JSON of docs/journeys.md it becomes
// (POST /api/v1/journeys). Problems are found here before sending, in the builder's words; the
// server checks everything again and its message is shown beside the form.
import { durationText, type DurationUnit } from './duration';

export type StepKind = 'wait' | 'wait_for' | 'branch' | 'send' | 'exit';
export const STEP_KINDS: ReadonlyArray<{ kind: StepKind; label: string }> = [
  { kind: 'wait', label: 'Wait' },
  { kind: 'wait_for', label: 'Wait for an event' },
  { kind: 'branch', label: 'Branch on a condition' },
  { kind: 'send', label: 'Send to a destination' },
  { kind: 'exit', label: 'Exit' },
];

/** Where a step goes: the following step, the end, or a later step by name. */
export type Target = 'next' | 'exit' | string;

export interface FormStep {
  kind: StepKind;
  name: string;
  amount: number; // wait: duration; wait_for: timeout
  unit: DurationUnit;
  event: string; // wait_for
  onEvent: Target; // wait_for: when the event comes
  onTimeout: Target; // wait_for: when it does not
  condition: string; // branch, in the audience language
  then: Target; // branch
  else: Target; // branch
  destination: string; // send
  data: string; // send: a JSON object as text, may be empty
}

export type Reentry = 'never' | 'after_exit' | 'after_days';

export interface JourneyForm {
  name: string;
  description: string;
  triggerKind: 'audience' | 'event';
  audience: string;
  event: string;
  reentry: Reentry;
  reentryDays: number;
  capOn: boolean;
  maxSends: number;
  perDays: number;
  steps: FormStep[];
}

export const NAME_RE = /^[a-z][a-z0-9_]{0,63}$/;

export function newStep(kind: StepKind, existing: readonly FormStep[]): FormStep {
  const base = kind === 'wait_for' ? 'wait_for' : kind;
  let n = 1;
  const names = new Set(existing.map((s) => s.name));
  while (names.has(`${base}_${n}`)) n++;
  return {
    kind,
    name: `${base}_${n}`,
    amount: kind === 'wait_for' ? 4 : 3,
    unit: kind === 'wait_for' ? 'hours' : 'days',
    event: '',
    onEvent: 'exit',
    onTimeout: 'next',
    condition: '',
    then: 'next',
    else: 'exit',
    destination: '',
    data: '',
  };
}

export function emptyForm(): JourneyForm {
  return {
    name: '',
    description: '',
    triggerKind: 'audience',
    audience: '',
    event: '',
    reentry: 'never',
    reentryDays: 30,
    capOn: false,
    maxSends: 2,
    perDays: 7,
    steps: [],
  };
}

/** The names a step may jump to: "exit" and every later step. */
export function targetsAfter(steps: readonly FormStep[], index: number): string[] {
  return steps.slice(index + 1).map((s) => s.name);
}

function setTarget(out: Record<string, unknown>, field: string, target: Target, steps: readonly FormStep[], index: number): void {
  // "next" is the default: left out. A named step that is the following one is also the default.
  if (target === 'next') return;
  if (target !== 'exit' && steps[index + 1]?.name === target) return;
  out[field] = target;
}

function parseData(text: string): Record<string, unknown> | null | 'bad' {
  if (text.trim() === '') return null;
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : 'bad';
  } catch {
    return 'bad';
  }
}

/** The definition JSON for POST /api/v1/journeys (what the form says, defaults left out). */
export function toDefinition(form: JourneyForm): Record<string, unknown> {
  const def: Record<string, unknown> = { name: form.name.trim() };
  if (form.description.trim()) def.description = form.description.trim();
  def.trigger = form.triggerKind === 'audience' ? { audience: form.audience } : { event: form.event.trim() };
  if (form.reentry !== 'never') def.reentry = form.reentry;
  if (form.reentry === 'after_days') def.reentry_days = form.reentryDays;
  if (form.capOn) def.frequency_cap = { max_sends: form.maxSends, per_days: form.perDays };
  def.steps = form.steps.map((s, i) => {
    const out: Record<string, unknown> = { name: s.name.trim(), type: s.kind };
    switch (s.kind) {
      case 'wait':
        out.duration = durationText(s.amount, s.unit);
        break;
      case 'wait_for':
        out.event = s.event.trim();
        out.timeout = durationText(s.amount, s.unit);
        setTarget(out, 'on_event', s.onEvent, form.steps, i);
        setTarget(out, 'on_timeout', s.onTimeout, form.steps, i);
        break;
      case 'branch':
        out.condition = s.condition.trim();
        setTarget(out, 'then', s.then, form.steps, i);
        setTarget(out, 'else', s.else, form.steps, i);
        break;
      case 'send': {
        out.destination = s.destination;
        const data = parseData(s.data);
        if (data && data !== 'bad') out.data = data;
        break;
      }
      case 'exit':
        break;
    }
    return out;
  });
  return def;
}

/** What stops the form from being a valid journey, in plain words (empty when it can be sent). */
export function formProblems(form: JourneyForm): string[] {
  const p: string[] = [];
  const name = form.name.trim();
  if (!NAME_RE.test(name)) p.push('The name must be 1–64 characters of a–z, 0–9 and _, starting with a letter.');
  if (form.triggerKind === 'audience' && !form.audience) p.push('Pick the audience that starts the journey.');
  if (form.triggerKind === 'event' && !form.event.trim()) p.push('Type the event that starts the journey.');
  if (form.reentry === 'after_days' && !(Number.isInteger(form.reentryDays) && form.reentryDays >= 1 && form.reentryDays <= 3650))
    p.push('Re-entry days must be a whole number from 1 to 3650.');
  if (form.capOn) {
    if (!(Number.isInteger(form.maxSends) && form.maxSends >= 1 && form.maxSends <= 100)) p.push('The frequency cap allows 1 to 100 sends.');
    if (!(Number.isInteger(form.perDays) && form.perDays >= 1 && form.perDays <= 365)) p.push('The frequency cap’s window is 1 to 365 days.');
  }
  if (form.steps.length === 0) p.push('Add at least one step.');
  if (form.steps.length > 64) p.push('A journey has at most 64 steps.');
  const seen = new Set<string>();
  form.steps.forEach((s, i) => {
    const n = s.name.trim();
    const where = `Step ${i + 1}`;
    if (!NAME_RE.test(n) || n === 'exit') p.push(`${where}: the name must be like a journey’s (and not “exit”).`);
    else if (seen.has(n)) p.push(`${where}: another step is already named “${n}”.`);
    seen.add(n);
    const later = new Set(targetsAfter(form.steps, i));
    const checkTarget = (t: Target, what: string) => {
      if (t !== 'next' && t !== 'exit' && !later.has(t)) p.push(`${where}: ${what} must go to a later step or exit.`);
    };
    if (s.kind === 'wait' || s.kind === 'wait_for') {
      const minutes = s.amount * { minutes: 1, hours: 60, days: 1440, weeks: 10080 }[s.unit];
      if (!Number.isInteger(s.amount) || s.amount < 1 || minutes > 3650 * 1440)
        p.push(`${where}: the ${s.kind === 'wait' ? 'wait' : 'timeout'} must be a whole number from 1 minute to 3650 days.`);
    }
    if (s.kind === 'wait_for') {
      if (!s.event.trim()) p.push(`${where}: type the event to wait for.`);
      checkTarget(s.onEvent, 'the event');
      checkTarget(s.onTimeout, 'the timeout');
    }
    if (s.kind === 'branch') {
      if (!s.condition.trim()) p.push(`${where}: write the condition.`);
      checkTarget(s.then, '“then”');
      checkTarget(s.else, '“else”');
    }
    if (s.kind === 'send') {
      if (!s.destination) p.push(`${where}: pick a destination.`);
      if (parseData(s.data) === 'bad') p.push(`${where}: the data must be a JSON object, such as {"template": "welcome"}.`);
    }
  });
  return p;
}
