// Analytics › Trends: one `trends` query — an event, a measure (events, unique customers, sum or
// average of a numeric property), per day or week, optionally split by a property (its top values
// as separate lines, the rest as "(other)"). The `properties` discovery query of the event fills
// the property and breakdown pickers. TrendView draws the answer (lines, totals, the figures as
// a table); "Save to dashboard" under it.
import { useMemo } from 'react';
import { api } from '../../api';
import { MEASURE_LABELS, TREND_MEASURES, propertiesSpec, readProperties, trendsSpec, type TrendMeasure, type TrendsPicker } from '../../analytics/specs';
import { readTrends } from '../../analytics/trends';
import { Empty } from '../../components/Empty';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Loading';
import { Term } from '../../components/Term';
import { useAsync } from '../../useAsync';
import { EventSelect, type AnalyticsTabProps } from './EventSelect';
import { SaveToDashboard } from './SaveToDashboard';
import { TrendView } from './TrendView';
import { useSpecQuery } from './useSpecQuery';

export function TrendsTab({ range, period, choice, events, picker, onPicker }: AnalyticsTabProps<TrendsPicker>) {
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
  const state = useSpecQuery(waiting ? null : spec);
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
      ) : state.data && spec.ok ? (
        <>
          <TrendView data={readTrends(state.data)} picker={effective} period={period} />
          <SaveToDashboard query={spec.value} period={choice} />
        </>
      ) : null}
    </>
  );
}
