// A `retention` answer drawn: a shaded table of cohorts × periods (the percentage who came back,
// the count in each cell's title); cells the answer marks `null` (not observed yet) stay blank,
// never 0 — on the Retention tab and in dashboard tiles (`compact`: no card, no notes).
import {
  cellShade,
  cohortLabel,
  describeRetention,
  isEmptyRetention,
  periodHeading,
  type RetentionData,
} from '../../analytics/retention';
import { ChartFrame } from '../../components/ChartFrame';
import { Empty } from '../../components/Empty';
import { formatNumber, formatPercent } from '../../format';

export function RetentionView({ data, start, period, compact = false }: { data: RetentionData; start: string; period: string; compact?: boolean }) {
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
      <ChartFrame title={`Customers who came back, per ${unit} after their first “${start}”`} compact={compact}>
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
      </ChartFrame>
      {compact ? null : (
      <p className="muted small">
        {unit === 'week' ? 'Weeks start on Monday (UTC); the first cohort starts on the Monday of the period’s first day' : 'Days are UTC'}. Blank cells: that {unit} has not started yet. The current {unit} counts what happened so far. The average weighs
        each cohort by its size, over the cohorts where that {unit} is known.
      </p>
      )}
    </>
  );
}
