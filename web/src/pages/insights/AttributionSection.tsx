// Insights › Attribution: POST /api/v1/insights/attribution with the period's `from` and `to`.
// The models side by side: a grouped bar chart (channels × models) and a table with a column per
// model, for conversions or revenue (the toggle; the answer has both). Empty states for a period
// without conversions and for conversions without any campaign touchpoint.
import { useMemo, useState } from 'react';
import { api } from '../../api';
import { Bars } from '../../components/Bars';
import { CodeBlock } from '../../components/CodeBlock';
import { Empty } from '../../components/Empty';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Loading';
import { PeriodPicker } from '../../components/PeriodPicker';
import { Term } from '../../components/Term';
import { formatNumber, plural } from '../../format';
import { attributionBars, attributionState, attributionTable, type Measure } from '../../insights/attribution';
import { describeBars } from '../../insights/charts';
import { formatAxis, formatCredit, formatMoney } from '../../insights/figures';
import { attributionSpec, describePeriod, type PeriodChoice } from '../../insights/specs';
import type { AttributionResult } from '../../types';
import type { DayRange } from '../../overviewQuery';
import { useAsync } from '../../useAsync';

const CAMPAIGN_EVENT = `{
  "type": "page",
  "userId": "u42",
  "context": { "campaign": { "source": "google", "medium": "cpc", "name": "brand" } }
}`;

export function AttributionSection({
  period,
  range,
  onPeriod,
}: {
  period: PeriodChoice;
  range: DayRange;
  onPeriod: (p: PeriodChoice) => void;
}) {
  const [measure, setMeasure] = useState<Measure>('conversions');
  const state = useAsync((signal) => api.attribution(attributionSpec(range), signal), [range.from, range.to]);
  return (
    <>
      <p className="muted">
        Which channels deserve the credit for the orders, under seven ways of sharing each order between the channels
        that led to it (<Term id="attribution">how it is computed</Term>).
      </p>
      <div className="toolbar controls">
        <PeriodPicker id="attr" value={period} onChange={onPeriod} />
        <fieldset className="toggle">
          <legend className="visually-hidden">Show</legend>
          {(
            [
              ['conversions', 'Conversions'],
              ['value', 'Revenue'],
            ] as const
          ).map(([m, label]) => (
            <label key={m} className={measure === m ? 'on' : undefined}>
              <input type="radio" name="attr-measure" value={m} checked={measure === m} onChange={() => setMeasure(m)} />
              {label}
            </label>
          ))}
        </fieldset>
      </div>
      {state.status === 'loading' ? (
        <Loading what="the attribution models" />
      ) : state.status === 'error' ? (
        <ErrorNotice error={state.error} onRetry={state.reload} title="The attribution could not be computed." />
      ) : (
        <AttributionView r={state.data.result} measure={measure} period={describePeriod(period)} />
      )}
    </>
  );
}

function AttributionView({ r, measure, period }: { r: AttributionResult; measure: Measure; period: string }) {
  const table = useMemo(() => attributionTable(r, measure), [r, measure]);
  const bars = useMemo(() => attributionBars(table), [table]);
  const format = measure === 'conversions' ? formatCredit : formatMoney;
  const what = measure === 'conversions' ? 'Conversions' : 'Revenue';
  const status = attributionState(r);

  if (status === 'no-conversions') {
    return (
      <Empty title={`No conversions in ${period}.`}>
        <p>
          A conversion is an “Order Completed” event with a customer. Pick a longer period above, check that orders
          arrive in <a href="#/events">Live events</a>, or import past orders with <code>rapport import</code>.
        </p>
      </Empty>
    );
  }
  if (status === 'no-touches') {
    return (
      <Empty title={`None of the ${formatNumber(r.conversions, 0)} conversions in ${period} had a campaign touchpoint.`}>
        <p>
          They are all credited to “(none)”. Attribution needs events, before the orders, that say where the customer came
          from: Segment’s <code>context.campaign</code> (source, medium, name), or <code>utm_source</code>,{' '}
          <code>utm_medium</code> and <code>utm_campaign</code> in the page URL (<code>context.page.url</code>). Most
          analytics snippets send them with every page view when the links carry UTM tags, e.g.:
        </p>
        <CodeBlock label="a page event with campaign fields" code={CAMPAIGN_EVENT} />
      </Empty>
    );
  }

  return (
    <>
      <p>
        <strong>{formatNumber(r.conversions, 0)}</strong> <Term id="conversions">conversions</Term> worth{' '}
        <strong>{formatMoney(r.value)}</strong> in {period}
        {r.no_touch_conversions ? <>, {formatNumber(r.no_touch_conversions, 0)} of them without any touchpoint (“(none)”)</> : null};{' '}
        {plural(r.journeys, 'journey')} with touchpoints and no conversion (<Term id="journeys">journeys</Term>).
      </p>
      <section className="card" aria-labelledby="attr-chart">
        <h3 id="attr-chart">
          {what} per channel under each model
        </h3>
        <Bars
          data={bars}
          format={format}
          axisFormat={formatAxis}
          horizontal={bars.categories.length > 6}
          description={describeBars(`${what} per channel under each attribution model`, bars, format)}
        />
      </section>
      <div className="table-scroll">
        <table>
          <caption className="visually-hidden">{what} credited to each channel, one column per attribution model</caption>
          <thead>
            <tr>
              <th scope="col">Channel</th>
              {table.models.map((m) => (
                <th key={m.key} scope="col" className="num">
                  <Term id={m.glossaryId}>{m.label}</Term>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row) => (
              <tr key={row.channel}>
                <th scope="row">{row.channel}</th>
                {row.values.map((v, i) => (
                  <td key={table.models[i].key} className="num">
                    {format(v)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              {table.totals.map((v, i) => (
                <td key={table.models[i].key} className="num">
                  {format(v)}
                </td>
              ))}
            </tr>
          </tfoot>
        </table>
      </div>
      <p className="muted small">
        Each model credits every conversion exactly once, so the columns add up to the same total. High under first touch:
        the channel brings people in; under last touch: it closes. Markov and Shapley look at whole journeys. Channels come
        from the campaign fields of the touchpoints (google / cpc → Paid Search, newsletter → Email, …).
      </p>
    </>
  );
}
