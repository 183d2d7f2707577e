// Analytics › Funnel: one `funnel` query — 2 to 5 steps (events discovered in the period) and a
// conversion window in days — drawn by FunnelView (bars per step, the step table, the time to
// convert), with "Save to dashboard" under the answer.
import { useEffect } from 'react';
import { readFunnel } from '../../analytics/funnel';
import { MAX_STEPS, MIN_STEPS, WINDOW_CHOICES, funnelSpec, type FunnelPicker } from '../../analytics/specs';
import { Empty } from '../../components/Empty';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Loading';
import { Term } from '../../components/Term';
import { plural } from '../../format';
import { EventSelect, type AnalyticsTabProps } from './EventSelect';
import { FunnelView } from './FunnelView';
import { SaveToDashboard } from './SaveToDashboard';
import { useSpecQuery } from './useSpecQuery';

export function FunnelTab({ range, period, choice, events, picker, onPicker }: AnalyticsTabProps<FunnelPicker>) {
  // Until steps are picked: the period's most frequent events, up to three (views, adds, orders).
  useEffect(() => {
    if (picker.steps.length === 0 && events.length > 0) {
      const steps = events.slice(0, 3).map((e) => e.name);
      while (steps.length < MIN_STEPS) steps.push('');
      onPicker({ ...picker, steps });
    }
  }, [picker, events, onPicker]);

  const spec = funnelSpec(range, picker.steps, picker.windowDays, events);
  const state = useSpecQuery(spec);
  const setStep = (i: number, name: string) => onPicker({ ...picker, steps: picker.steps.map((s, k) => (k === i ? name : s)) });
  // The keyboard focus goes to the step select that takes the place of a removed step, or to the
  // new step's select, rather than being lost with the button.
  const focusStep = (i: number) => window.setTimeout(() => document.getElementById(`fn-step-${i}`)?.focus(), 0);
  const removeStep = (i: number) => {
    onPicker({ ...picker, steps: picker.steps.filter((_, k) => k !== i) });
    focusStep(Math.min(i, picker.steps.length - 2));
  };
  const addStep = () => {
    onPicker({ ...picker, steps: [...picker.steps, ''] });
    focusStep(picker.steps.length);
  };

  return (
    <>
      <p className="muted">
        Of the customers who did the first step, how many went on to each next step, in order, within the window (
        <Term id="funnel">how it is counted</Term>).
      </p>
      <form className="funnel-form" onSubmit={(e) => e.preventDefault()} aria-label="Funnel steps">
        <ol className="funnel-steps">
          {picker.steps.map((s, i) => (
            <li key={i}>
              <EventSelect id={`fn-step-${i}`} label={`Step ${i + 1}`} value={s} events={events} onChange={(name) => setStep(i, name)} />
              {picker.steps.length > MIN_STEPS ? (
                <button type="button" className="secondary small" onClick={() => removeStep(i)} aria-label={`Remove step ${i + 1}${s ? ` (${s})` : ''}`}>
                  Remove
                </button>
              ) : null}
            </li>
          ))}
        </ol>
        <div className="inline-form">
          {picker.steps.length < MAX_STEPS ? (
            <button type="button" className="secondary" onClick={addStep}>
              Add a step
            </button>
          ) : (
            <span className="muted small">At most {MAX_STEPS} steps.</span>
          )}
          <label htmlFor="fn-window">Conversion window</label>
          <select id="fn-window" value={picker.windowDays} onChange={(e) => onPicker({ ...picker, windowDays: Number(e.target.value) })}>
            {WINDOW_CHOICES.map((d) => (
              <option key={d} value={d}>
                {plural(d, 'day')} from step 1
              </option>
            ))}
          </select>
        </div>
      </form>
      {picker.steps.length === 0 ? null : !spec.ok ? (
        <Empty title={spec.problem} />
      ) : state.status === 'loading' ? (
        <Loading what="the funnel" />
      ) : state.status === 'error' ? (
        <ErrorNotice error={state.error} onRetry={state.reload} title="The funnel could not be computed." />
      ) : state.data && spec.ok ? (
        <>
          <FunnelView data={readFunnel(state.data)} period={period} windowDays={picker.windowDays} />
          <SaveToDashboard query={spec.value} period={choice} />
        </>
      ) : null}
    </>
  );
}
