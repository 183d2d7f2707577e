// Insights › Customer lifetime value: POST /api/v1/insights/clv with `{}` (or the calibration
// end, holdout end and number of top customers picked). Shows the fit (customers, repeat
// buyers), predicted CLV and P(alive) as bar charts of the distribution fields the answer has,
// the top customers linking to their profiles, and the models' parameters under "Model details".
// A 400 (the models cannot be fitted) is an empty state saying what data is needed.
import { useMemo, useState, type FormEvent } from 'react';
import { api } from '../../api';
import { Bars } from '../../components/Bars';
import { Empty } from '../../components/Empty';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Figures } from '../../components/Figures';
import { Loading } from '../../components/Loading';
import { Term } from '../../components/Term';
import { formatDateTime, formatNumber, formatPercent, plural } from '../../format';
import { describeBars } from '../../insights/charts';
import { clvDistribution, clvFitProblem, clvHistogram, holdoutError, pAliveDistribution, pAliveHistogram, repeatShare, topRows } from '../../insights/clv';
import { formatAxis, formatCredit, formatMoney, formatParameter, formatProbability } from '../../insights/figures';
import { CLV_TOP_CHOICES, clvSpec, type ClvPicker } from '../../insights/specs';
import type { ClvResult } from '../../types';
import { useAppliedSpec } from '../../useAppliedSpec';
import { FieldProblem } from '../../components/FieldProblem';

const DEFAULT: ClvPicker = { calibrationEnd: '', holdoutEnd: '', top: 10 };
const count = (v: number | null) => formatNumber(v, 0);

export function ClvSection() {
  const [draft, setDraft] = useState<ClvPicker>(DEFAULT);
  const { state, problem, apply } = useAppliedSpec(api.clv);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    apply(clvSpec(draft));
  };

  return (
    <>
      <p className="muted">
        What each customer is expected to spend over the coming months, from how often and how recently they bought (
        <Term id="clv">how it is computed</Term>).
      </p>
      <form className="inline-form" onSubmit={submit} aria-label="Lifetime value settings">
        <label htmlFor="clv-cal">Calibration end</label>
        <input id="clv-cal" type="date" value={draft.calibrationEnd} onChange={(e) => setDraft({ ...draft, calibrationEnd: e.target.value })} aria-describedby="clv-cal-help" />
        <label htmlFor="clv-hold">Holdout end</label>
        <input id="clv-hold" type="date" value={draft.holdoutEnd} onChange={(e) => setDraft({ ...draft, holdoutEnd: e.target.value })} />
        <label htmlFor="clv-top">Top</label>
        <select id="clv-top" value={draft.top} onChange={(e) => setDraft({ ...draft, top: Number(e.target.value) })}>
          {CLV_TOP_CHOICES.map((n) => (
            <option key={n} value={n}>
              {n} customers
            </option>
          ))}
        </select>
        <button type="submit" disabled={state.status === 'loading'}>
          Fit
        </button>
        <p id="clv-cal-help" className="muted small">
          Purchases before the calibration end (empty: now) teach the models. With a holdout end, the purchases between the
          two days are compared with what the models predict (<Term id="holdout-report">holdout report</Term>).
        </p>
        <FieldProblem problem={problem} />
      </form>
      {state.status === 'loading' ? (
        <Loading what="the lifetime value models" />
      ) : state.status === 'error' ? (
        state.error.status === 400 ? (
          <CannotFit message={state.error.message} />
        ) : (
          <ErrorNotice error={state.error} onRetry={state.reload} title="The lifetime value could not be computed." />
        )
      ) : (
        <ClvView r={state.data.result} />
      )}
    </>
  );
}

function CannotFit({ message }: { message: string }) {
  const p = clvFitProblem(message);
  return (
    <Empty title={p.title}>
      <p>
        The server says: <q>{message}</q>
      </p>
      <p>The lifetime value models need:</p>
      <ul>
        {p.needs.map((n) => (
          <li key={n}>{n}</li>
        ))}
      </ul>
      <p className="muted small">
        Check what arrived in <a href="#/events">Live events</a>; <Term id="p-alive">P(alive)</Term> and{' '}
        <Term id="clv">CLV</Term> explain what the models do with it.
      </p>
    </Empty>
  );
}

function ClvView({ r }: { r: ClvResult }) {
  // Customers per band when the answer has histograms; else its summary figures.
  const clvHist = useMemo(() => clvHistogram(r, formatAxis), [r]);
  const clvBars = useMemo(() => clvHist ?? clvDistribution(r), [r, clvHist]);
  const clvFormat = clvHist ? count : formatMoney;
  const aliveBars = useMemo(() => pAliveHistogram(r) ?? pAliveDistribution(r), [r]);
  const rows = useMemo(() => topRows(r), [r]);
  const horizon = r.clv?.horizon_months ?? 12;
  return (
    <>
      <Figures
        label="The fit"
        items={[
          { glossaryId: 'profiles', label: 'Customers', value: formatNumber(r.customers, 0), detail: <>{plural(r.purchases, 'purchase')} before {formatDateTime(r.calibration_end)}</> },
          { glossaryId: 'repeat-buyers', label: 'Repeat buyers', value: formatNumber(r.repeat_buyers, 0), detail: <>{formatPercent(repeatShare(r))} of customers bought again</> },
          {
            glossaryId: 'clv',
            label: 'Mean predicted CLV',
            value: formatMoney(r.clv?.mean),
            detail: r.clv ? <>over {horizon} months; {formatMoney(r.clv.total)} for all customers</> : <>not predicted: see below</>,
          },
          {
            glossaryId: 'p-alive',
            label: 'Mean P(alive)',
            value: formatProbability(r.p_alive?.mean),
            detail: <>{plural(r.p_alive?.below_half, 'customer')} more likely gone than not</>,
          },
        ]}
      />
      {r.spend_model_error || !r.clv ? (
        <p className="notice notice-info" role="status">
          CLV could not be predicted: {r.spend_model_error ?? 'the spend model could not be fitted'}. P(alive) and expected
          purchases still stand; CLV needs at least two customers whose repeat purchases carry a positive revenue.
        </p>
      ) : null}
      <div className="grid-2">
        <section className="card" aria-labelledby="clv-dist">
          <h3 id="clv-dist">
            <Term id="clv">Predicted CLV</Term> per customer, next {horizon} months
          </h3>
          {clvBars ? (
            <Bars
              data={clvBars}
              format={clvFormat}
              axisFormat={formatAxis}
              description={describeBars(clvHist ? 'Customers per band of predicted CLV' : 'Predicted CLV per customer', clvBars, clvFormat)}
            />
          ) : (
            <p className="muted">No CLV to show.</p>
          )}
          <p className="muted small">
            Median {formatMoney(r.clv?.p50)}, mean {formatMoney(r.clv?.mean)}: the mean is pulled up by the few most valuable.
          </p>
        </section>
        <section className="card" aria-labelledby="clv-alive">
          <h3 id="clv-alive">
            Customers by <Term id="p-alive">P(alive)</Term>
          </h3>
          <Bars data={aliveBars} format={count} axisFormat={formatAxis} description={describeBars('Customers by P(alive)', aliveBars, count)} />
          <p className="muted small">
            A customer who bought only once counts as alive. <Term id="churn-risk">Churn risk</Term> is 1 − P(alive).
          </p>
        </section>
      </div>
      <h3>Most valuable customers</h3>
      {rows.length === 0 ? (
        <p className="muted">No customer was scored.</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Profile</th>
                <th scope="col" className="num"><Term id="clv">CLV</Term></th>
                <th scope="col" className="num"><Term id="p-alive">P(alive)</Term></th>
                <th scope="col" className="num"><Term id="expected-purchases">Expected purchases</Term></th>
                <th scope="col" className="num"><Term id="expected-spend">Expected spend</Term></th>
                <th scope="col" className="num">Repeat purchases</th>
                <th scope="col" className="num">Average spend</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => (
                <tr key={t.profile}>
                  <td>{t.rank}</td>
                  <th scope="row">
                    <a href={t.href}>{t.profile}</a>
                  </th>
                  <td className="num">{formatMoney(t.clv)}</td>
                  <td className="num">{formatProbability(t.p_alive)}</td>
                  <td className="num">{formatCredit(t.expected_purchases)}</td>
                  <td className="num">{formatMoney(t.expected_spend)}</td>
                  <td className="num">{formatNumber(t.repeat_purchases, 0)}</td>
                  <td className="num">{formatMoney(t.average_spend)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted small">Amounts are in your orders’ currency, as sent: Rapport does not convert currencies.</p>
      <ModelDetails r={r} />
    </>
  );
}

function ModelDetails({ r }: { r: ClvResult }) {
  const err = holdoutError(r);
  return (
    <details className="model-details">
      <summary>Model details</summary>
      <div className="grid-2">
        <table>
          <caption>BG/NBD: how often and for how long customers buy (per {r.unit})</caption>
          <tbody>
            {(['r', 'alpha', 'a', 'b', 'log_likelihood'] as const).map((k) => (
              <tr key={k}>
                <th scope="row">{k === 'log_likelihood' ? 'log-likelihood' : k === 'alpha' ? 'α' : k}</th>
                <td className="num">{formatParameter(r.bgnbd?.[k])}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table>
          <caption>Gamma-Gamma: how much per purchase</caption>
          <tbody>
            {r.gamma_gamma ? (
              (['p', 'q', 'gamma', 'log_likelihood', 'customers'] as const).map((k) => (
                <tr key={k}>
                  <th scope="row">{k === 'log_likelihood' ? 'log-likelihood' : k === 'gamma' ? 'γ' : k === 'customers' ? 'customers fitted' : k}</th>
                  <td className="num">{k === 'customers' ? formatNumber(r.gamma_gamma?.customers, 0) : formatParameter(r.gamma_gamma?.[k])}</td>
                </tr>
              ))
            ) : (
              <tr>
                <td>Not fitted: {r.spend_model_error ?? 'no reason given'}</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <p className="small">
        {plural(r.purchases, 'purchase')} ({formatNumber(r.purchases_without_revenue, 0)} without revenue) before{' '}
        {formatDateTime(r.calibration_end)}; time unit: {r.unit}.
        {r.clv ? (
          <>
            {' '}
            CLV over {r.clv.horizon_months} months, discounted {formatPercent(r.clv.monthly_discount)} a month; 99th percentile{' '}
            {formatMoney(r.clv.p99)}.
          </>
        ) : null}
      </p>
      {r.holdout ? (
        <>
          <h4>
            <Term id="holdout-report">Holdout report</Term>: {r.holdout.units} {r.unit}s after the calibration end
          </h4>
          <p className="small">
            {formatNumber(r.holdout.predicted, 0)} purchases predicted, {formatNumber(r.holdout.actual, 0)} made
            {err !== null ? <> ({err < 0 ? `${formatPercent(-err)} under` : `${formatPercent(err)} over`})</> : null}. Within 10–15 %
            and in the right order per group, the model can be trusted for ranking customers.
          </p>
          <table className="narrow">
            <thead>
              <tr>
                <th scope="col">Repeat purchases in calibration</th>
                <th scope="col" className="num">Customers</th>
                <th scope="col" className="num">Actual per customer</th>
                <th scope="col" className="num">Predicted per customer</th>
              </tr>
            </thead>
            <tbody>
              {r.holdout.by_repeat_purchases.map((g, i, all) => (
                <tr key={g.x}>
                  <th scope="row">{i === all.length - 1 && g.x >= 7 ? `${g.x} or more` : g.x}</th>
                  <td className="num">{formatNumber(g.customers, 0)}</td>
                  <td className="num">{formatNumber(g.actual, 2)}</td>
                  <td className="num">{formatNumber(g.predicted, 2)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <p className="muted small">Pick a holdout end above to compare the predictions with what happened.</p>
      )}
    </details>
  );
}
