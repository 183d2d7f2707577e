// Insights › RFM: POST /api/v1/insights/rfm with `{}` (or the "as of" day picked). Customers per
// named segment as a bar chart and a table (each name linked to its glossary entry), and the 5×5
// grid of recency × frequency scores as a table shaded by its counts, each cell naming its segment.
import { useMemo, useState, type FormEvent } from 'react';
import { api } from '../../api';
import { Bars } from '../../components/Bars';
import { Empty } from '../../components/Empty';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Loading';
import { Term } from '../../components/Term';
import { formatDateTime, formatNumber, formatPercent } from '../../format';
import { describeBars } from '../../insights/charts';
import { formatAxis, formatMoney } from '../../insights/figures';
import { cellColors, gridRows, isEmptyRfm, segmentBars, segmentRows } from '../../insights/rfm';
import { rfmSpec } from '../../insights/specs';
import type { RfmResult } from '../../types';
import { useAppliedSpec } from '../../useAppliedSpec';
import { FieldProblem } from '../../components/FieldProblem';

const count = (v: number | null) => formatNumber(v, 0);

export function RfmSection() {
  const [asOf, setAsOf] = useState('');
  const { state, problem, apply } = useAppliedSpec(api.rfm);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    apply(rfmSpec(asOf));
  };

  return (
    <>
      <p className="muted">
        Every customer scored 1 to 5 on how recently, how often and how much they bought, and named by the first two (
        <Term id="rfm">how it is computed</Term>).
      </p>
      <form className="inline-form" onSubmit={submit} aria-label="RFM settings">
        <label htmlFor="rfm-asof">As of</label>
        <input id="rfm-asof" type="date" value={asOf} onChange={(e) => setAsOf(e.target.value)} aria-describedby="rfm-asof-help" />
        <button type="submit" disabled={state.status === 'loading'}>
          Score
        </button>
        <span id="rfm-asof-help" className="muted small">
          Purchases before this day count; empty: now.
        </span>
        <FieldProblem problem={problem} />
      </form>
      {state.status === 'loading' ? (
        <Loading what="the RFM scores" />
      ) : state.status === 'error' ? (
        state.error.status === 400 ? (
          <NoPurchases message={state.error.message} />
        ) : (
          <ErrorNotice error={state.error} onRetry={state.reload} title="The RFM scores could not be computed." />
        )
      ) : isEmptyRfm(state.data.result) ? (
        <NoPurchases message="No customer has a purchase before this day." />
      ) : (
        <RfmView r={state.data.result} />
      )}
    </>
  );
}

function NoPurchases({ message }: { message: string }) {
  const none = /no (purchases|customer)/i.test(message);
  return (
    <Empty title={none ? 'No purchases to score yet.' : 'The RFM scores cannot be computed from these purchases.'}>
      <p>
        The server says: <q>{message}</q>
      </p>
      <p>
        RFM needs purchase events — by default “Order Completed” with the amount in <code>properties.revenue</code>, sent
        with a userId or another identifier — before the “as of” day. Send them from your shop, or bring past orders in with{' '}
        <code>rapport import</code>; leave “as of” empty to count every purchase up to now.
      </p>
    </Empty>
  );
}

function RfmView({ r }: { r: RfmResult }) {
  const rows = useMemo(() => segmentRows(r), [r]);
  const bars = useMemo(() => segmentBars(r), [r]);
  const grid = useMemo(() => gridRows(r), [r]);
  return (
    <>
      <p>
        <strong>{formatNumber(r.customers, 0)}</strong> customers with a purchase before {formatDateTime(r.as_of)}.
      </p>
      <div className="rfm-layout">
        <section className="card" aria-labelledby="rfm-segments">
          <h3 id="rfm-segments">
            Customers per <Term id="rfm-segments">segment</Term>
          </h3>
          <Bars data={bars} format={count} axisFormat={formatAxis} horizontal description={describeBars('Customers per segment', bars, count)} />
        </section>
        <section className="card" aria-labelledby="rfm-grid">
          <h3 id="rfm-grid">Recency × frequency</h3>
          {grid ? (
            <table className="rfm-grid">
              <caption className="visually-hidden">Customers per recency score (rows, 5 = bought most recently) and frequency score (columns, 5 = bought most often)</caption>
              <thead>
                <tr>
                  <td />
                  {[1, 2, 3, 4, 5].map((f) => (
                    <th key={f} scope="col" className="num">
                      F {f}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {grid.map((row) => (
                  <tr key={row[0].r}>
                    <th scope="row">R {row[0].r}</th>
                    {row.map((cell) => {
                      const colors = cellColors(cell.share);
                      return (
                        <td key={cell.f} style={colors} title={`R ${cell.r}, F ${cell.f}: ${formatNumber(cell.customers, 0)} customers (${cell.segment.label})`}>
                          <span className="cell-count">{formatNumber(cell.customers, 0)}</span>
                          <span className="cell-segment">{cell.segment.label}</span>
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">The answer has no 5 × 5 grid to show.</p>
          )}
          <p className="muted small">R: recency score, 5 = bought most recently. F: frequency score, 5 = bought most often. Darker: more customers.</p>
        </section>
      </div>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Segment</th>
              <th scope="col" className="num">Customers</th>
              <th scope="col" className="num">Share</th>
              <th scope="col" className="num">Mean days since last purchase</th>
              <th scope="col" className="num">Mean purchase days</th>
              <th scope="col" className="num">Mean total spend</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.segment}>
                <th scope="row">
                  <Term id={s.glossaryId}>{s.label}</Term>
                </th>
                <td className="num">{formatNumber(s.customers, 0)}</td>
                <td className="num">{formatPercent(s.share)}</td>
                <td className="num">{s.customers ? formatNumber(s.recency_days, 0) : '–'}</td>
                <td className="num">{s.customers ? formatNumber(s.frequency, 1) : '–'}</td>
                <td className="num">{s.customers ? formatMoney(s.monetary) : '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted small">
        Segments are relative to your own customers: champions are your best fifth or two, whatever the absolute numbers.
      </p>
    </>
  );
}
