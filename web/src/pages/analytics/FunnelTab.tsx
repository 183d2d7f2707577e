// Analytics › Funnel: one `funnel` query — 2 to 5 steps (events discovered in the period) and a
// conversion window in days. A horizontal bar per step (customers reaching it), the step table
// with every figure of the answer (customers, conversion from step 1, step conversion, drop-off,
// median time from the previous step) and the time to convert.
import { useEffect } from 'react';
import { api } from '../../api';
import { bucketLabel, describeFunnel, formatDuration, funnelBars, funnelState, readFunnel, type FunnelData } from '../../analytics/funnel';
import { MAX_STEPS, MIN_STEPS, WINDOW_CHOICES, funnelSpec } from '../../analytics/specs';
import { Bars } from '../../components/Bars';
import { Empty } from '../../components/Empty';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Loading';
import { Term } from '../../components/Term';
import { formatNumber, formatPercent, plural } from '../../format';
import { formatAxis } from '../../insights/figures';
import { useAsync } from '../../useAsync';
import { EventSelect, type AnalyticsTabProps } from './EventSelect';

export interface FunnelPicker {
  steps: string[];
  windowDays: number;
}

const formatCount = (v: number | null) => formatNumber(v, 0);

export function FunnelTab({ range, period, events, picker, onPicker }: AnalyticsTabProps<FunnelPicker>) {
  // Until steps are picked: the period's most frequent events, up to three (views, adds, orders).
  useEffect(() => {
    if (picker.steps.length === 0 && events.length > 0) {
      const steps = events.slice(0, 3).map((e) => e.name);
      while (steps.length < MIN_STEPS) steps.push('');
      onPicker({ ...picker, steps });
    }
  }, [picker, events, onPicker]);

  const spec = funnelSpec(range, picker.steps, picker.windowDays, events);
  const key = spec.ok ? JSON.stringify(spec.value) : '';
  const state = useAsync((signal) => (key ? api.query<unknown>(JSON.parse(key) as object, signal) : Promise.resolve(null)), [key]);
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
      ) : state.data ? (
        <FunnelView data={readFunnel(state.data)} period={period} windowDays={picker.windowDays} />
      ) : null}
    </>
  );
}

function FunnelView({ data, period, windowDays }: { data: FunnelData; period: string; windowDays: number }) {
  const status = funnelState(data);
  if (status === 'no-entries') {
    return (
      <Empty title={`No customer did “${data.steps[0]?.name ?? 'step 1'}” in ${period}.`}>
        <p>
          Widen the period or pick another first step. Only events with a customer (a userId or anonymousId) count in a funnel.
        </p>
      </Empty>
    );
  }
  const bars = funnelBars(data);
  const last = data.steps[data.steps.length - 1];
  return (
    <>
      {status === 'no-conversions' ? (
        <Empty title={`Nobody went on from “${data.steps[0].name}” to “${data.steps[1].name}” within ${plural(windowDays, 'day')}.`}>
          <p>Check the order of the steps, try a longer window, or widen the period.</p>
        </Empty>
      ) : (
        <p>
          <strong>{formatPercent(last.conversion)}</strong> of the {formatNumber(data.steps[0].count, 0)} customers who did “{data.steps[0].name}” in{' '}
          {period} reached “{last.name}” within {plural(windowDays, 'day')}
          {data.medianToConvert !== null ? (
            <>
              , in a median of <strong>{formatDuration(data.medianToConvert)}</strong> (<Term id="time-to-convert">time to convert</Term>)
            </>
          ) : null}
          .
        </p>
      )}
      <section className="card" aria-labelledby="fn-chart">
        <h3 id="fn-chart">Customers reaching each step</h3>
        <Bars data={bars} format={formatCount} axisFormat={formatAxis} horizontal description={describeFunnel(data)} />
      </section>
      <div className="table-scroll">
        <table>
          <caption className="visually-hidden">The funnel's steps with their customers and conversions</caption>
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col" className="num">Customers</th>
              <th scope="col" className="num">
                <Term id="funnel-conversion">Conversion</Term>
              </th>
              <th scope="col" className="num">
                <Term id="step-conversion">From previous</Term>
              </th>
              <th scope="col" className="num">
                <Term id="drop-off">Drop-off</Term>
              </th>
              <th scope="col" className="num">
                <Term id="time-to-convert">Median time from previous</Term>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.steps.map((s, i) => (
              <tr key={i}>
                <th scope="row">
                  {i + 1}. {s.name}
                </th>
                <td className="num">{formatCount(s.count)}</td>
                <td className="num">{formatPercent(s.conversion)}</td>
                <td className="num">{i === 0 ? '–' : formatPercent(s.stepConversion)}</td>
                <td className="num">{i === 0 ? '–' : formatCount(s.dropOff)}</td>
                <td className="num">{formatDuration(s.medianSeconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {data.buckets.some((b) => b.count > 0) ? (
        <details className="plain-details">
          <summary>How long the {formatNumber(last.count, 0)} converted customers took, from step 1 to the last step</summary>
          <table className="narrow">
            <caption className="visually-hidden">Converted customers by time to convert</caption>
            <thead>
              <tr>
                <th scope="col">Time to convert</th>
                <th scope="col" className="num">Customers</th>
              </tr>
            </thead>
            <tbody>
              {data.buckets.map((b) => (
                <tr key={b.leSeconds}>
                  <th scope="row">{bucketLabel(b.leSeconds)}</th>
                  <td className="num">{formatCount(b.count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </>
  );
}
