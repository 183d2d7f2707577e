// A `trends` answer drawn: a line per series or breakdown value, the totals, and the figures as a
// table — on the Trends tab and in dashboard tiles (`compact`: no card, no notes). The picker
// says what was asked (from the tab, or read back from a tile's spec by analytics/fromSpec.ts).
import { BREAKDOWN_LIMIT, MEASURE_LABELS, type TrendsPicker } from '../../analytics/specs';
import { describeTrend, isEmptyTrend, periodLabel, type TrendData } from '../../analytics/trends';
import { ChartFrame } from '../../components/ChartFrame';
import { Empty } from '../../components/Empty';
import { Lines } from '../../components/Lines';
import { Term } from '../../components/Term';
import { formatNumber } from '../../format';
import { formatAxis } from '../../insights/figures';

const formatCount = (v: number | null) => formatNumber(v, 0);
const formatAmount = (v: number | null) => formatNumber(v, 2);

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

export function TrendView({ data, picker, period, compact = false }: { data: TrendData; picker: TrendsPicker; period: string; compact?: boolean }) {
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
      <ChartFrame title={title} compact={compact}>
        <Lines data={data} format={format} axisFormat={formatAxis} description={describeTrend(title, data, format)} />
        {!compact && data.broken && data.lines.length > BREAKDOWN_LIMIT ? (
          <p className="muted small">
            The {BREAKDOWN_LIMIT} values with the largest totals get a line each; “(other)” sums the rest, “(no value)” is the events without {picker.breakdown}.
          </p>
        ) : null}
      </ChartFrame>
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
