// Analytics › Trends: one `trends` query — an event, a measure (events, unique customers, sum or
// average of a numeric property), per day or week, optionally split by a property (its top values
// as separate lines, the rest as "(other)"). The `properties` discovery query of the event fills
// the property and breakdown pickers. A line chart, its description, and the figures as a table.
import { useMemo } from 'react';
import { api } from '../../api';
import {
  BREAKDOWN_LIMIT,
  MEASURE_LABELS,
  TREND_MEASURES,
  propertiesSpec,
  readProperties,
  trendsSpec,
  type TrendMeasure,
  type TrendsPicker,
} from '../../analytics/specs';
import { describeTrend, isEmptyTrend, periodLabel, readTrends, type TrendData } from '../../analytics/trends';
import { Empty } from '../../components/Empty';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Lines } from '../../components/Lines';
import { Loading } from '../../components/Loading';
import { Term } from '../../components/Term';
import { formatNumber } from '../../format';
import { formatAxis } from '../../insights/figures';
import { useAsync } from '../../useAsync';
import { EventSelect, type AnalyticsTabProps } from './EventSelect';

const formatCount = (v: number | null) => formatNumber(v, 0);
const formatAmount = (v: number | null) => formatNumber(v, 2);

export function TrendsTab({ range, period, events, picker, onPicker }: AnalyticsTabProps<TrendsPicker>) {
  // Until one is picked, the most frequent event of the period.
  const event = picker.event || events[0]?.name || '';
  const props = useAsync((signal) => api.query<unknown>(propertiesSpec(range, event), signal), [range.from, range.to, event]);
  const choices = useMemo(() => (props.status === 'ok' ? readProperties(props.data) : null), [props.status, props.data]);
  const needsProperty = picker.measure === 'sum' || picker.measure === 'avg';
  // A property no longer carried by the event falls back to the first one that is.
  const property = choices ? (choices.numeric.includes(picker.property) ? picker.property : (choices.numeric[0] ?? '')) : picker.property;
  const effective: TrendsPicker = { ...picker, event, property };
  const spec = trendsSpec(range, effective, events);
  const waiting = needsProperty && props.status === 'loading';
  const key = spec.ok && !waiting ? JSON.stringify(spec.value) : '';
  const state = useAsync((signal) => (key ? api.query<unknown>(JSON.parse(key) as object, signal) : Promise.resolve(null)), [key]);
  const set = (patch: Partial<TrendsPicker>) => onPicker({ ...effective, ...patch });

  return (
    <>
      <p className="muted">
        How much of an event happened per day or week (<Term id="trends">how it is counted</Term>).
      </p>
      <form className="inline-form controls" onSubmit={(e) => e.preventDefault()} aria-label="Trend">
        <EventSelect id="tr-event" label="Event" value={event} events={events} onChange={(name) => set({ event: name })} />
        <label htmlFor="tr-measure">Measure</label>
        <select id="tr-measure" value={picker.measure} onChange={(e) => set({ measure: e.target.value as TrendMeasure })}>
          {TREND_MEASURES.map((m) => (
            <option key={m} value={m}>
              {MEASURE_LABELS[m]}
            </option>
          ))}
        </select>
        {needsProperty ? (
          <>
            <label htmlFor="tr-property">of</label>
            <select id="tr-property" value={property} onChange={(e) => set({ property: e.target.value })} disabled={!choices || choices.numeric.length === 0}>
              {!choices ? <option value={property}>{property || 'loading…'}</option> : null}
              {choices && choices.numeric.length === 0 ? <option value="">no numeric property</option> : null}
              {(choices?.numeric ?? []).map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </>
        ) : null}
        <label htmlFor="tr-interval">per</label>
        <select id="tr-interval" value={picker.interval} onChange={(e) => set({ interval: e.target.value === 'week' ? 'week' : 'day' })}>
          <option value="day">day</option>
          <option value="week">week (from Monday)</option>
        </select>
        <label htmlFor="tr-breakdown">split by</label>
        <select id="tr-breakdown" value={picker.breakdown} onChange={(e) => set({ breakdown: e.target.value })}>
          <option value="">nothing</option>
          {picker.breakdown !== '' && choices && !choices.breakdown.includes(picker.breakdown) ? (
            <option value={picker.breakdown}>{picker.breakdown} (not on this event)</option>
          ) : null}
          {(choices?.breakdown ?? []).map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </form>
      {props.status === 'error' ? (
        <ErrorNotice error={props.error} onRetry={props.reload} title={`The properties of “${event}” could not be listed.`} />
      ) : null}
      {!spec.ok ? (
        <Empty title={spec.problem} />
      ) : waiting || state.status === 'loading' ? (
        <Loading what="the trend" />
      ) : state.status === 'error' ? (
        <ErrorNotice error={state.error} onRetry={state.reload} title="The trend could not be computed." />
      ) : state.data ? (
        <TrendView data={readTrends(state.data)} picker={effective} period={period} />
      ) : null}
    </>
  );
}

function measureText(p: TrendsPicker): string {
  switch (p.measure) {
    case 'count':
      return `“${p.event}” events`;
    case 'unique_profiles':
      return `Customers with a “${p.event}” event`;
    case 'sum':
      return `Sum of ${p.property} on “${p.event}”`;
    case 'avg':
      return `Average ${p.property} on “${p.event}”`;
  }
}

function TrendView({ data, picker, period }: { data: TrendData; picker: TrendsPicker; period: string }) {
  const format = picker.measure === 'count' || picker.measure === 'unique_profiles' ? formatCount : formatAmount;
  const title = `${measureText(picker)} per ${picker.interval}${picker.breakdown ? `, by ${picker.breakdown}` : ''}`;
  if (isEmptyTrend(data)) {
    return (
      <Empty
        title={
          picker.measure === 'sum' || picker.measure === 'avg'
            ? `No “${picker.event}” event in ${period} has a number at ${picker.property}.`
            : `No “${picker.event}” events in ${period}.`
        }
      >
        <p>Widen the period, pick another event or measure, or check in <a href="#/events">Live events</a> that these events arrive.</p>
      </Empty>
    );
  }
  const totalLabel =
    picker.measure === 'unique_profiles' ? (
      <>
        <Term id="unique-customers">different customers</Term> over the whole period (each once)
      </>
    ) : picker.measure === 'avg' ? (
      'average over every event of the period'
    ) : (
      'in total'
    );
  return (
    <>
      <section className="card" aria-labelledby="tr-chart">
        <h3 id="tr-chart">{title}</h3>
        <Lines data={data} format={format} axisFormat={formatAxis} description={describeTrend(title, data, format)} />
        {data.broken && data.lines.length > BREAKDOWN_LIMIT ? (
          <p className="muted small">
            The {BREAKDOWN_LIMIT} values with the largest totals get a line each; “(other)” sums the rest, “(no value)” is the events without {picker.breakdown}.
          </p>
        ) : null}
      </section>
      <ul className="totals">
        {data.lines.map((l) => (
          <li key={l.name}>
            {data.broken ? <strong>{l.name}: </strong> : null}
            <span className="figure-value">{format(l.total)}</span> <span className="muted">{totalLabel}</span>
          </li>
        ))}
      </ul>
      <details className="plain-details">
        <summary>The figures as a table</summary>
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">{title}, one row per {picker.interval}</caption>
            <thead>
              <tr>
                <th scope="col">{picker.interval === 'week' ? 'Week of' : 'Day'}</th>
                {data.lines.map((l) => (
                  <th key={l.name} scope="col" className="num">
                    {data.broken ? l.name : MEASURE_LABELS[picker.measure]}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.periods.map((t, i) => (
                <tr key={t}>
                  <th scope="row">{periodLabel(t, 'day')}</th>
                  {data.lines.map((l) => (
                    <td key={l.name} className="num">
                      {format(l.values[i])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{picker.measure === 'avg' ? 'Whole period' : 'Total'}</th>
                {data.lines.map((l) => (
                  <td key={l.name} className="num">
                    {format(l.total)}
                  </td>
                ))}
              </tr>
            </tfoot>
          </table>
        </div>
      </details>
    </>
  );
}
