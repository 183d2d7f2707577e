// Analytics › Retention: one `retention` query — a start event (puts a customer in the cohort of
// their first one), a return event, day or week cohorts and how many periods to follow — drawn by
// RetentionView (a shaded cohort table), with "Save to dashboard" under the answer.
import { useEffect } from 'react';
import { readRetention } from '../../analytics/retention';
import { RETENTION_PERIODS, retentionSpec, type RetentionPicker } from '../../analytics/specs';
import { Empty } from '../../components/Empty';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Loading';
import { Term } from '../../components/Term';
import { EventSelect, type AnalyticsTabProps } from './EventSelect';
import { RetentionView } from './RetentionView';
import { SaveToDashboard } from './SaveToDashboard';
import { useSpecQuery } from './useSpecQuery';

export function RetentionTab({ range, period, choice, events, picker, onPicker }: AnalyticsTabProps<RetentionPicker>) {
  // Until picked: the most frequent event both ways ("did it again").
  useEffect(() => {
    if (picker.start === '' && picker.ret === '' && events.length > 0) onPicker({ ...picker, start: events[0].name, ret: events[0].name });
  }, [picker, events, onPicker]);

  const spec = retentionSpec(range, picker, events);
  const state = useSpecQuery(spec);
  const set = (patch: Partial<RetentionPicker>) => onPicker({ ...picker, ...patch });

  return (
    <>
      <p className="muted">
        Of the customers who first did the start event in a {picker.interval} (a <Term id="cohort">cohort</Term>), the share who did the
        return event in each following {picker.interval} (<Term id="retention">how it is counted</Term>).
      </p>
      <form className="inline-form controls" onSubmit={(e) => e.preventDefault()} aria-label="Retention">
        <EventSelect id="rt-start" label="Start event" value={picker.start} events={events} onChange={(name) => set({ start: name })} />
        <EventSelect id="rt-return" label="Return event" value={picker.ret} events={events} onChange={(name) => set({ ret: name })} />
        <label htmlFor="rt-interval">Cohorts by</label>
        <select id="rt-interval" value={picker.interval} onChange={(e) => set({ interval: e.target.value === 'day' ? 'day' : 'week' })}>
          <option value="day">day</option>
          <option value="week">week (from Monday)</option>
        </select>
        <label htmlFor="rt-periods">followed for</label>
        <select id="rt-periods" value={picker.periods} onChange={(e) => set({ periods: Number(e.target.value) })}>
          {RETENTION_PERIODS.map((n) => (
            <option key={n} value={n}>
              {n} {picker.interval}s
            </option>
          ))}
        </select>
      </form>
      {!spec.ok ? (
        picker.start === '' && picker.ret === '' ? null : <Empty title={spec.problem} />
      ) : state.status === 'loading' ? (
        <Loading what="the retention table" />
      ) : state.status === 'error' ? (
        <ErrorNotice error={state.error} onRetry={state.reload} title="The retention could not be computed." />
      ) : state.data && spec.ok ? (
        <>
          <RetentionView data={readRetention(state.data)} start={picker.start} period={period} />
          <SaveToDashboard query={spec.value} period={choice} />
        </>
      ) : null}
    </>
  );
}
