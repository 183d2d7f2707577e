// Insights › Channel ROI: POST /api/v1/insights/roi with the period's `from`, `to` and the model
// picked. The channel table (spend, conversions, revenue, new customers, CAC, ROAS, LTV:CAC,
// payback, marginal ROAS; each empty figure a dash saying why), campaigns expandable under their
// channel, the total, and where the next unit of budget returns most (`next_budget`). Without
// spend on record it shows the answer's `note` and how to import spend.
import { Fragment, useMemo, useState } from 'react';
import { api } from '../../api';
import { CodeBlock } from '../../components/CodeBlock';
import { Empty } from '../../components/Empty';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Figures } from '../../components/Figures';
import { Loading } from '../../components/Loading';
import { PeriodPicker } from '../../components/PeriodPicker';
import { Term } from '../../components/Term';
import { DASH, formatPercent } from '../../format';
import { modelInfo } from '../../insights/attribution';
import { formatCredit, formatMoney, formatMonths, formatRatio, sentence } from '../../insights/figures';
import { campaignLabel, channelRows, nextBudgetRows, nullReason, roiState, type BudgetRow, type RoiFigure } from '../../insights/roi';
import { ROI_MODELS, describePeriod, isRoiModel, roiSpec, type PeriodChoice, type RoiModel } from '../../insights/specs';
import type { DayRange } from '../../overviewQuery';
import { can } from '../../roles';
import { useSession } from '../../session';
import type { RoiLine, RoiResult } from '../../types';
import { useAsync } from '../../useAsync';

const FIGURES: Array<{ key: RoiFigure; label: string; glossaryId: string; format: (v: unknown) => string }> = [
  { key: 'cac', label: 'CAC', glossaryId: 'cac', format: formatMoney },
  { key: 'roas', label: 'ROAS', glossaryId: 'roas', format: formatRatio },
  { key: 'ltv_cac', label: 'LTV:CAC', glossaryId: 'ltv-cac', format: formatRatio },
  { key: 'payback_months', label: 'Payback', glossaryId: 'payback', format: formatMonths },
  { key: 'marginal_roas', label: 'Marginal ROAS', glossaryId: 'marginal-roas', format: formatRatio },
];

export function RoiSection({ period, range, onPeriod }: { period: PeriodChoice; range: DayRange; onPeriod: (p: PeriodChoice) => void }) {
  const [model, setModel] = useState<RoiModel>('linear');
  const state = useAsync((signal) => api.roi(roiSpec(range, model), signal), [range.from, range.to, model]);
  return (
    <>
      <p className="muted">
        For every channel and campaign: what it cost, what it brought back under the attribution model you trust, and
        where the next unit of budget returns most (<Term id="channel-roi">how it is computed</Term>).
      </p>
      <div className="toolbar controls">
        <PeriodPicker id="roi" value={period} onChange={onPeriod} />
        <div className="inline-form">
          <label htmlFor="roi-model">Attribution model</label>
          <select id="roi-model" value={model} onChange={(e) => isRoiModel(e.target.value) && setModel(e.target.value)}>
            {ROI_MODELS.map((m) => (
              <option key={m} value={m}>
                {modelInfo(m).label}
                {m === 'linear' ? ' (default)' : ''}
              </option>
            ))}
          </select>
          <Term id={modelInfo(model).glossaryId}>what is {modelInfo(model).label.toLowerCase()}?</Term>
        </div>
      </div>
      {state.status === 'loading' ? (
        <Loading what="the channel ROI" />
      ) : state.status === 'error' ? (
        <ErrorNotice error={state.error} onRetry={state.reload} title="The channel ROI could not be computed." />
      ) : (
        <RoiView r={state.data.result} period={describePeriod(period)} />
      )}
    </>
  );
}

function SpendHelp() {
  const { role } = useSession();
  const origin = window.location.origin;
  return (
    <>
      <p>
        Export the costs per day, channel and campaign from your ad platforms as CSV, with the channel names the table
        shows (<Term id="spend">what spend is</Term>):
      </p>
      <CodeBlock label="spend CSV" code={'date,channel,campaign,cost\n2024-03-01,Paid Search,brand,36.21\n2024-03-01,Email,,12.84'} />
      {can(role, 'spend.write') ? (
        <>
          <p>Then import it — re-importing a day replaces it:</p>
          <CodeBlock label="import spend from the command line" code={`rapport spend import --server ${origin} --token $RAPPORT_TOKEN --file spend.csv`} />
          <p className="muted small">
            Or send it to <code>POST /api/v1/spend</code> (<code>Content-Type: text/csv</code>); every field and rule is in
            the project’s <code>docs/api.md</code>, section “Spend”.
          </p>
        </>
      ) : (
        <p>
          Importing spend takes an admin or marketer token: ask one to run <code>rapport spend import --file spend.csv</code>.
        </p>
      )}
    </>
  );
}

function RoiView({ r, period }: { r: RoiResult; period: string }) {
  const rows = useMemo(() => channelRows(r), [r]);
  const budget = useMemo(() => nextBudgetRows(r, 'channels'), [r]);
  const campaignBudget = useMemo(() => nextBudgetRows(r, 'campaigns'), [r]);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const status = roiState(r);
  const toggle = (channel: string) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(channel)) next.delete(channel);
      else next.add(channel);
      return next;
    });

  if (status === 'nothing') {
    return (
      <Empty title={`No conversions and no spend on record in ${period}.`}>
        <p>
          Pick a longer period above. Channel ROI sets the spend you import against the orders (“Order Completed” events)
          credited to each channel; {r.note ? <>the server says: <q>{r.note}</q></> : null}
        </p>
        <SpendHelp />
      </Empty>
    );
  }

  // Every reason a dash stands for, for the note under the table.
  const reasons = new Set<string>();
  const cells = (line: RoiLine, total = false) =>
    FIGURES.map((f) => {
      const reason = nullReason(line, f.key, total);
      if (reason) reasons.add(reason);
      return (
        <td key={f.key} className="num">
          {reason ? <NullValue reason={reason} /> : f.format(line[f.key])}
        </td>
      );
    });
  const base = (line: RoiLine) => (
    <>
      <td className="num">{formatMoney(line.spend)}</td>
      <td className="num">{formatCredit(line.conversions)}</td>
      <td className="num">{formatMoney(line.revenue)}</td>
      <td className="num">{formatCredit(line.new_customers)}</td>
    </>
  );

  return (
    <>
      {status === 'no-spend' ? (
        <div className="notice notice-info" role="status">
          <p className="notice-title">No spend is on record for {period}.</p>
          <p>
            {sentence(r.note ?? 'Import spend to see CAC, ROAS and LTV:CAC.')} Until then the table shows what each channel is
            credited with, and a dash for every figure that needs spend.
          </p>
          <SpendHelp />
        </div>
      ) : (
        <Figures
          label="All channels"
          items={[
            { glossaryId: 'spend', label: 'Spend', value: formatMoney(r.total.spend), detail: <>in {period}</> },
            { glossaryId: 'revenue', label: 'Revenue', value: formatMoney(r.total.revenue), detail: <>{formatCredit(r.total.conversions)} conversions</> },
            { glossaryId: 'roas', label: 'ROAS', value: formatRatio(r.total.roas), detail: <>revenue per unit spent</> },
            { glossaryId: 'cac', label: 'CAC', value: r.total.cac === null ? DASH : formatMoney(r.total.cac), detail: <>{formatCredit(r.total.new_customers)} new customers</> },
          ]}
        />
      )}
      <div className="table-scroll">
        <table className="roi">
          <caption className="visually-hidden">Channel ROI under the {modelInfo(r.model).label} model; campaigns can be expanded under their channel</caption>
          <thead>
            <tr>
              <th scope="col">Channel</th>
              <th scope="col" className="num"><Term id="spend">Spend</Term></th>
              <th scope="col" className="num"><Term id="conversions">Conversions</Term></th>
              <th scope="col" className="num"><Term id="revenue">Revenue</Term></th>
              <th scope="col" className="num"><Term id="new-customers">New customers</Term></th>
              {FIGURES.map((f) => (
                <th key={f.key} scope="col" className="num">
                  <Term id={f.glossaryId}>{f.label}</Term>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map(({ line, campaigns }) => {
              const isOpen = open.has(line.channel);
              const id = `roi-c-${line.channel.replace(/[^A-Za-z0-9]+/g, '-')}`;
              return (
                <Fragment key={line.channel}>
                  <tr className="channel-row">
                    <th scope="row">
                      {campaigns.length > 0 ? (
                        <button
                          type="button"
                          className="disclosure"
                          aria-expanded={isOpen}
                          aria-controls={campaigns.map((_, i) => `${id}-${i}`).join(' ')}
                          onClick={() => toggle(line.channel)}
                          title={`${isOpen ? 'Hide' : 'Show'} the ${campaigns.length} campaign${campaigns.length === 1 ? '' : 's'}`}
                        >
                          <span aria-hidden="true">{isOpen ? '▾' : '▸'}</span> {line.channel}
                          <span className="muted small"> ({campaigns.length})</span>
                        </button>
                      ) : (
                        <span className="no-disclosure">{line.channel}</span>
                      )}
                    </th>
                    {base(line)}
                    {cells(line)}
                  </tr>
                  {isOpen
                    ? campaigns.map((c, i) => (
                        <tr key={`${c.campaign}-${i}`} id={`${id}-${i}`} className="campaign-row">
                          <th scope="row">{campaignLabel(c)}</th>
                          {base(c)}
                          {cells(c)}
                        </tr>
                      ))
                    : null}
                </Fragment>
              );
            })}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              {base(r.total)}
              {cells(r.total, true)}
            </tr>
          </tfoot>
        </table>
      </div>
      <div className="small muted roi-notes">
        {reasons.size > 0 ? (
          <>
            <p>A dash (–) stands for a figure that cannot be computed here (hover over it for which):</p>
            <ul>
              {[...reasons].map((reason) => (
                <li key={reason}>{reason}</li>
              ))}
            </ul>
          </>
        ) : null}
        <p>
          Credited under the <Term id={modelInfo(r.model).glossaryId}>{modelInfo(r.model).label}</Term> model. Margin{' '}
          {formatPercent(r.margin)}
          {r.margin === 1 ? ': LTV:CAC and payback are in revenue, not profit' : ''}. <Term id="ltv">LTV</Term>: {r.ltv_basis}.
          Amounts are in your orders’ currency.
        </p>
      </div>
      {status === 'ok' ? (
        <section className="card" aria-labelledby="roi-next">
          <h3 id="roi-next">Where the next unit of budget returns most</h3>
          {budget.length === 0 ? (
            <p className="muted">No channel with spend to rank in {period}.</p>
          ) : (
            <BudgetTable rows={budget} what="Channel" />
          )}
          {campaignBudget.length > 0 ? (
            <details className="plain-details">
              <summary>By campaign ({campaignBudget.length})</summary>
              <BudgetTable rows={campaignBudget} what="Campaign" />
            </details>
          ) : null}
          <p className="muted small">
            Marginal ROAS is what the next unit of spend returns: elasticity × ROAS. A reading of your own history, not an
            experiment — confirm big shifts with a holdout test.
          </p>
        </section>
      ) : null}
    </>
  );
}

function BudgetTable({ rows, what }: { rows: BudgetRow[]; what: string }) {
  return (
    <table className="narrow budget">
      <thead>
        <tr>
          <th scope="col">Rank</th>
          <th scope="col">{what}</th>
          <th scope="col" className="num">
            <Term id="marginal-roas">Marginal ROAS</Term>
          </th>
          <th scope="col">Basis</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((b) => (
          <tr key={b.label}>
            <td>{b.rank}</td>
            <th scope="row">{b.label}</th>
            <td className="num">{formatRatio(b.marginal_roas)}</td>
            <td className="small">
              {b.basis === 'response curve' ? <Term id="elasticity">response curve</Term> : 'average ROAS'}
              <span className="muted">{b.detail ? ` — ${b.detail.replace(/^(response curve|average ROAS): /, '')}` : ''}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NullValue({ reason }: { reason: string }) {
  return (
    <span className="null-value" title={reason}>
      {DASH}
      <span className="visually-hidden"> ({reason})</span>
    </span>
  );
}
