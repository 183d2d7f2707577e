// A `funnel` answer drawn: customers reaching each step as horizontal bars, the step table with
// every figure of the answer (customers, conversion from step 1, step conversion, drop-off, median
// time from the previous step) and the time to convert — on the Funnel tab and in dashboard tiles
// (`compact`: no card, no sentence above the chart).
import { bucketLabel, describeFunnel, formatDuration, funnelBars, funnelState, type FunnelData } from '../../analytics/funnel';
import { Bars } from '../../components/Bars';
import { ChartFrame } from '../../components/ChartFrame';
import { Empty } from '../../components/Empty';
import { Term } from '../../components/Term';
import { formatNumber, formatPercent, plural } from '../../format';
import { formatAxis } from '../../insights/figures';

const formatCount = (v: number | null) => formatNumber(v, 0);

export function FunnelView({ data, period, windowDays, compact = false }: { data: FunnelData; period: string; windowDays: number; compact?: boolean }) {
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
  const table = (
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
  );
  return (
    <>
      {compact ? null : status === 'no-conversions' ? (
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
      <ChartFrame title="Customers reaching each step" compact={compact}>
        <Bars data={bars} format={formatCount} axisFormat={formatAxis} horizontal description={describeFunnel(data)} />
      </ChartFrame>
      {compact ? (
        <details className="plain-details">
          <summary>The steps as a table</summary>
          {table}
        </details>
      ) : (
        table
      )}
      {!compact && data.buckets.some((b) => b.count > 0) ? (
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
