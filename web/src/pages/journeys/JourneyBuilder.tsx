// The journey builder (admin, marketer): name, trigger (an audience from GET /api/v1/audiences,
// or an event name), re-entry, frequency cap, and an ordered list of steps (wait, wait for an
// event, branch, send to a destination from GET /api/v1/destinations, exit). The form becomes the
// definition JSON of docs/journeys.md (journeys/definition.ts), shown as it is built; *Create
// journey* sends it (POST /api/v1/journeys) and opens the new journey; the server's error is shown
// beside the button.
import { useState } from 'react';
import { api } from '../../api';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Term } from '../../components/Term';
import { asApiError, type ApiError } from '../../errors';
import {
  emptyForm,
  formProblems,
  newStep,
  STEP_KINDS,
  targetsAfter,
  toDefinition,
  type FormStep,
  type JourneyForm,
  type Reentry,
  type StepKind,
  type Target,
} from '../../journeys/definition';
import { DURATION_UNITS, type DurationUnit } from '../../journeys/duration';
import { href } from '../../router';
import { useAsync } from '../../useAsync';

export function JourneyBuilder({ existing }: { existing: string[] }) {
  const audiences = useAsync((signal) => api.audiences(signal), []);
  const destinations = useAsync((signal) => api.destinations(signal), []);
  const audienceNames = audiences.status === 'ok' ? audiences.data.audiences.map((a) => a.name) : [];
  const destinationNames = destinations.status === 'ok' ? destinations.data.destinations.map((d) => d.definition.name) : [];
  const [form, setForm] = useState<JourneyForm>(emptyForm);
  const [addKind, setAddKind] = useState<StepKind>('send');
  const [tried, setTried] = useState(false);
  const [state, setState] = useState<{ busy: boolean; error?: ApiError }>({ busy: false });

  const update = (patch: Partial<JourneyForm>) => {
    setState({ busy: false });
    setForm((f) => ({ ...f, ...patch }));
  };
  const updateStep = (i: number, patch: Partial<FormStep>) =>
    update({ steps: form.steps.map((s, k) => (k === i ? { ...s, ...patch } : s)) });
  const move = (i: number, by: number) => {
    const steps = [...form.steps];
    const [s] = steps.splice(i, 1);
    steps.splice(i + by, 0, s);
    update({ steps });
  };

  const problems = formProblems(form);
  if (existing.includes(form.name.trim())) problems.unshift(`A journey named “${form.name.trim()}” exists already.`);
  const definition = toDefinition(form);

  const create = async () => {
    setTried(true);
    if (problems.length > 0) return;
    setState({ busy: true });
    try {
      const j = await api.createJourney(definition);
      window.location.hash = href({ page: 'journeys', name: j.name });
    } catch (err) {
      setState({ busy: false, error: asApiError(err) });
    }
  };

  return (
    <section className="card" aria-labelledby="journey-builder-title" id="journey-builder">
      <h2 id="journey-builder-title">Build a journey</h2>
      <div className="builder-grid">
        <div className="jb-form">
          <div className="jb-row">
            <label htmlFor="journey-name">Name</label>
            <input id="journey-name" value={form.name} onChange={(e) => update({ name: e.target.value })} placeholder="welcome_series" autoComplete="off" />
            <label htmlFor="journey-description">Description</label>
            <input id="journey-description" className="wide" value={form.description} onChange={(e) => update({ description: e.target.value })} />
          </div>
          <fieldset className="plain jb-row">
            <legend>Starts when a customer…</legend>
            <label>
              <input type="radio" name="trigger" id="trigger-audience" checked={form.triggerKind === 'audience'} onChange={() => update({ triggerKind: 'audience' })} />{' '}
              enters the audience
            </label>
            <select
              id="journey-audience"
              aria-label="Trigger audience"
              value={form.audience}
              disabled={form.triggerKind !== 'audience'}
              onChange={(e) => update({ audience: e.target.value })}
            >
              <option value="">{audiences.status === 'loading' ? 'loading…' : audienceNames.length ? 'pick an audience' : 'no audiences yet'}</option>
              {audienceNames.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
            <label>
              <input type="radio" name="trigger" id="trigger-event" checked={form.triggerKind === 'event'} onChange={() => update({ triggerKind: 'event' })} /> does the
              event
            </label>
            <input
              id="journey-event"
              aria-label="Trigger event"
              value={form.event}
              disabled={form.triggerKind !== 'event'}
              placeholder="Signed Up"
              onChange={(e) => update({ event: e.target.value })}
            />
          </fieldset>
          {audiences.status === 'error' ? <ErrorNotice error={audiences.error} onRetry={audiences.reload} title="The audiences could not be listed." /> : null}
          <div className="jb-row">
            <label htmlFor="journey-reentry">
              <Term id="reentry">Re-entry</Term>
            </label>
            <select id="journey-reentry" value={form.reentry} onChange={(e) => update({ reentry: e.target.value as Reentry })}>
              <option value="never">never</option>
              <option value="after_exit">after the previous time has ended</option>
              <option value="after_days">some days after the previous entry</option>
            </select>
            {form.reentry === 'after_days' ? (
              <>
                <input
                  id="journey-reentry-days"
                  aria-label="Days before re-entry"
                  type="number"
                  min={1}
                  max={3650}
                  className="num-input"
                  value={form.reentryDays}
                  onChange={(e) => update({ reentryDays: e.target.valueAsNumber })}
                />{' '}
                days
              </>
            ) : null}
          </div>
          <div className="jb-row">
            <label>
              <input type="checkbox" id="journey-cap" checked={form.capOn} onChange={(e) => update({ capOn: e.target.checked })} />{' '}
              <Term id="frequency-cap">Frequency cap</Term>:
            </label>
            <span>at most</span>
            <input
              id="journey-cap-sends"
              aria-label="Sends at most"
              type="number"
              min={1}
              max={100}
              className="num-input"
              disabled={!form.capOn}
              value={form.maxSends}
              onChange={(e) => update({ maxSends: e.target.valueAsNumber })}
            />
            <span>sends per</span>
            <input
              id="journey-cap-days"
              aria-label="Days in the cap's window"
              type="number"
              min={1}
              max={365}
              className="num-input"
              disabled={!form.capOn}
              value={form.perDays}
              onChange={(e) => update({ perDays: e.target.valueAsNumber })}
            />
            <span>days</span>
          </div>
          <h3>Steps</h3>
          {form.steps.length === 0 ? <p className="muted small">No steps yet: add the first one.</p> : null}
          <ol className="jb-steps" id="journey-steps">
            {form.steps.map((s, i) => (
              <li key={i} className="cond" data-step-index={i}>
                <StepFields
                  step={s}
                  index={i}
                  later={targetsAfter(form.steps, i)}
                  destinations={destinationNames}
                  onChange={(patch) => updateStep(i, patch)}
                />
                <div className="toolbar">
                  <button type="button" className="small secondary" disabled={i === 0} onClick={() => move(i, -1)} aria-label={`Move step ${i + 1} up`}>
                    ↑
                  </button>
                  <button
                    type="button"
                    className="small secondary"
                    disabled={i === form.steps.length - 1}
                    onClick={() => move(i, 1)}
                    aria-label={`Move step ${i + 1} down`}
                  >
                    ↓
                  </button>
                  <button type="button" className="small secondary" onClick={() => update({ steps: form.steps.filter((_, k) => k !== i) })}>
                    Remove step {i + 1}
                  </button>
                </div>
              </li>
            ))}
          </ol>
          <div className="toolbar">
            <label htmlFor="add-step-kind">New step</label>
            <select id="add-step-kind" value={addKind} onChange={(e) => setAddKind(e.target.value as StepKind)}>
              {STEP_KINDS.map((k) => (
                <option key={k.kind} value={k.kind}>
                  {k.label}
                </option>
              ))}
            </select>
            <button type="button" id="add-step" className="secondary" onClick={() => update({ steps: [...form.steps, newStep(addKind, form.steps)] })}>
              Add step
            </button>
          </div>
          {destinations.status === 'error' ? (
            <ErrorNotice error={destinations.error} onRetry={destinations.reload} title="The destinations could not be listed." />
          ) : null}
          <div className="builder-save">
            <button type="button" id="journey-create" onClick={() => void create()} disabled={state.busy}>
              {state.busy ? 'Creating…' : 'Create journey'}
            </button>
            <div id="journey-errors">
              {tried && problems.length > 0 ? (
                <div className="notice notice-error" role="alert">
                  <p className="notice-title">Not yet:</p>
                  <ul>
                    {problems.map((p) => (
                      <li key={p}>{p}</li>
                    ))}
                  </ul>
                </div>
              ) : null}
              {state.error ? <ErrorNotice error={state.error} title="The journey was not created." /> : null}
            </div>
          </div>
        </div>
        <div className="builder-side">
          <h3>Definition</h3>
          <pre className="audience-text" id="journey-json" aria-label="The definition JSON that will be sent">
            {JSON.stringify(definition, null, 2)}
          </pre>
        </div>
      </div>
    </section>
  );
}

function TargetSelect({ id, label, value, later, onChange }: { id: string; label: string; value: Target; later: string[]; onChange: (t: Target) => void }) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="next">the next step</option>
        <option value="exit">exit</option>
        {later.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </>
  );
}

function Duration({ id, label, step, onChange }: { id: string; label: string; step: FormStep; onChange: (patch: Partial<FormStep>) => void }) {
  return (
    <>
      <label htmlFor={`${id}-amount`}>{label}</label>
      <input
        id={`${id}-amount`}
        type="number"
        min={1}
        className="num-input"
        value={step.amount}
        onChange={(e) => onChange({ amount: e.target.valueAsNumber })}
      />
      <select id={`${id}-unit`} aria-label={`${label} unit`} value={step.unit} onChange={(e) => onChange({ unit: e.target.value as DurationUnit })}>
        {DURATION_UNITS.map((u) => (
          <option key={u} value={u}>
            {u}
          </option>
        ))}
      </select>
    </>
  );
}

function StepFields({
  step,
  index,
  later,
  destinations,
  onChange,
}: {
  step: FormStep;
  index: number;
  later: string[];
  destinations: string[];
  onChange: (patch: Partial<FormStep>) => void;
}) {
  const id = `step-${index}`;
  const kind = STEP_KINDS.find((k) => k.kind === step.kind)?.label ?? step.kind;
  return (
    <div className="cond-row">
      <span className="badge">
        {index + 1}. {kind}
      </span>
      <label htmlFor={`${id}-name`} className="visually-hidden">
        Step {index + 1} name
      </label>
      <input id={`${id}-name`} className="path" value={step.name} onChange={(e) => onChange({ name: e.target.value })} />
      {step.kind === 'wait' ? <Duration id={id} label="for" step={step} onChange={onChange} /> : null}
      {step.kind === 'wait_for' ? (
        <>
          <label htmlFor={`${id}-event`}>event</label>
          <input id={`${id}-event`} value={step.event} placeholder="Order Completed" onChange={(e) => onChange({ event: e.target.value })} />
          <Duration id={id} label="for at most" step={step} onChange={onChange} />
          <TargetSelect id={`${id}-on-event`} label="when it comes, go to" value={step.onEvent} later={later} onChange={(t) => onChange({ onEvent: t })} />
          <TargetSelect id={`${id}-on-timeout`} label="else to" value={step.onTimeout} later={later} onChange={(t) => onChange({ onTimeout: t })} />
        </>
      ) : null}
      {step.kind === 'branch' ? (
        <>
          <label htmlFor={`${id}-condition`}>if</label>
          <input
            id={`${id}-condition`}
            className="wide"
            value={step.condition}
            placeholder='in audience "vip" or traits.plan = "pro"'
            onChange={(e) => onChange({ condition: e.target.value })}
          />
          <TargetSelect id={`${id}-then`} label="then go to" value={step.then} later={later} onChange={(t) => onChange({ then: t })} />
          <TargetSelect id={`${id}-else`} label="else to" value={step.else} later={later} onChange={(t) => onChange({ else: t })} />
        </>
      ) : null}
      {step.kind === 'send' ? (
        <>
          <label htmlFor={`${id}-destination`}>to</label>
          <select id={`${id}-destination`} value={step.destination} onChange={(e) => onChange({ destination: e.target.value })}>
            <option value="">{destinations.length ? 'pick a destination' : 'no destinations yet'}</option>
            {destinations.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
          <label htmlFor={`${id}-data`}>data</label>
          <input id={`${id}-data`} className="wide" value={step.data} placeholder='{"template": "welcome"}' onChange={(e) => onChange({ data: e.target.value })} />
        </>
      ) : null}
    </div>
  );
}
