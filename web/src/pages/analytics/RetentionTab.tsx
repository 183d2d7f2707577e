// Analytics › Retention: one `retention` query — a start event (puts a customer in the cohort of
// their first one), a return event, day or week cohorts and how many periods to follow. A shaded
// table of cohorts × periods (the percentage who came back, the count in each cell's title);
// cells the answer marks `null` (not observed yet) stay blank, never 0.
import { useEffect } from 'react';
import { api } from '../../api';
import {
  cellShade,
  cohortLabel,
  describeRetention,
  isEmptyRetention,
  periodHeading,
  readRetention,
  type RetentionData,
} from '../../analytics/retention';
import { RETENTION_PERIODS, retentionSpec, type Interval } from '../../analytics/specs';
import { Empty } from '../../components/Empty';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Loading';
import { Term } from '../../components/Term';
import { formatNumber, formatPercent } from '../../format';
import { useAsync } from '../../useAsync';
import { EventSelect, type AnalyticsTabProps } from './EventSelect';

export interface RetentionPicker {
  start: string;
  ret: string;
  interval: Interval;
  periods: number;
}

export function RetentionTab({ range, period, events, picker, onPicker }: AnalyticsTabProps<RetentionPicker>) {
  // Until picked: the most frequent event both ways ("did it again").
  useEffect(() => {
    if (picker.start === '' && picker.ret === '' && events.length > 0) onPicker({ ...picker, start: events[0].name, ret: events[0].name });
  }, [picker, events, onPicker]);

  const spec = retentionSpec(range, picker, events);
  const key = spec.ok ? JSON.stringify(spec.value) : '';
  const state = useAsync((signal) => (key ? api.query<unknown>(JSON.parse(key) as object, signal) : Promise.resolve(null)), [key]);
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
      ) : state.data ? (
        <RetentionView data={readRetention(state.data)} start={picker.start} period={period} />
      ) : null}
    </>
  );
}

function RetentionView({ data, start, period }: { data: RetentionData; start: string; period: string }) {
  if (isEmptyRetention(data)) {
    return (
      <Empty title={`No customer did “${start}” for the first time in ${period}.`}>
        <p>
          A cohort counts only a customer’s very first “{start}”: customers who did it before the period are in none. Widen the period or pick a
          start event that marks a beginning, such as a sign-up or a first visit.
        </p>
      </Empty>
    );
  }
  const unit = data.interval === 'day' ? 'day' : 'week';
  const periods = Array.from({ length: data.periods }, (_, k) => k);
  return (
    <>
      <section className="card" aria-labelledby="rt-table">
        <h3 id="rt-table">Customers who came back, per {unit} after their first “{start}”</h3>
        <p className="visually-hidden">{describeRetention(data)}</p>
        <div className="table-scroll">
          <table className="retention">
            <caption className="visually-hidden">
              One row per cohort: its size, then the percentage of its customers who came back in each {unit}; blank cells are not observed yet.
            </caption>
            <thead>
              <tr>
                <th scope="col">Cohort</th>
                <th scope="col" className="num">Customers</th>
                {periods.map((k) => (
                  <th key={k} scope="col" className="num">
                    {periodHeading(k, data.interval)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.rows.map((row) => (
                <tr key={row.start}>
                  <th scope="row">{cohortLabel(row.start, data.interval)}</th>
                  <td className="num">{formatNumber(row.size, 0)}</td>
                  {periods.map((k) => {
                    const cell = row.cells[k] ?? { count: null, share: null };
                    if (cell.count === null) {
                      return (
                        <td key={k} className="num unobserved" title="Not observed yet">
                          <span className="visually-hidden">not observed yet</span>
                        </td>
                      );
                    }
                    const shade = cellShade(cell.share);
                    return (
                      <td
                        key={k}
                        className="num cell"
                        style={shade ?? undefined}
                        title={`${formatNumber(cell.count, 0)} of ${formatNumber(row.size, 0)} customers`}
                      >
                        {cell.share === null ? '–' : formatPercent(cell.share)}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Average</th>
                <td className="num">{formatNumber(data.rows.reduce((n, r) => n + r.size, 0), 0)}</td>
                {periods.map((k) => (
                  <td key={k} className="num">
                    {data.average[k] === null || data.average[k] === undefined ? '' : formatPercent(data.average[k])}
                  </td>
                ))}
              </tr>
            </tfoot>
          </table>
        </div>
      </section>
      <p className="muted small">
        {unit === 'week' ? 'Weeks start on Monday (UTC); the first cohort starts on the Monday of the period’s first day' : 'Days are UTC'}. Blank cells: that {unit} has not started yet. The current {unit} counts what happened so far. The average weighs
        each cohort by its size, over the cohorts where that {unit} is known.
      </p>
    </>
  );
}
