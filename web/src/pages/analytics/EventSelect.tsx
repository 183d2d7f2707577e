// A select of the events discovered in the period (most frequent first, with their counts). A
// choice no longer seen in the period stays offered, marked, so that changing the period never
// silently changes the question.
import { formatNumber } from '../../format';
import type { EventChoice } from '../../analytics/specs';
import type { PeriodChoice } from '../../insights/specs';
import type { DayRange } from '../../overviewQuery';

export function EventSelect({
  id,
  label,
  value,
  events,
  onChange,
  hiddenLabel = false,
}: {
  id: string;
  label: string;
  value: string;
  events: readonly EventChoice[];
  onChange: (name: string) => void;
  hiddenLabel?: boolean;
}) {
  const known = value === '' || events.some((e) => e.name === value);
  return (
    <>
      <label htmlFor={id} className={hiddenLabel ? 'visually-hidden' : undefined}>
        {label}
      </label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {value === '' ? <option value="">Pick an event…</option> : null}
        {known ? null : <option value={value}>{value} (none in this period)</option>}
        {events.map((e) => (
          <option key={e.name} value={e.name}>
            {e.name} ({formatNumber(e.count, 0)})
          </option>
        ))}
      </select>
    </>
  );
}

/** What every analytics tab is given: the period, its events, and the tab's own picker state. */
export interface AnalyticsTabProps<P> {
  range: DayRange;
  period: string; // the period in words, for sentences
  choice: PeriodChoice; // the period as picked, kept by a saved dashboard tile
  events: readonly EventChoice[];
  picker: P;
  onPicker: (p: P) => void;
}
