// A `paths` answer drawn: a Sankey of what customers did after (before) the event — one box per
// step and event, flows between consecutive steps — a sentence with the largest flows, and every
// flow as a table (the chart's text alternative). On the Paths tab and in dashboard tiles
// (`compact`: no card, no notes).
import { describePaths, isEmptyPaths, nodeById, stepLabel, type PathsData } from '../../analytics/paths';
import type { PathsPicker } from '../../analytics/specs';
import { ChartFrame } from '../../components/ChartFrame';
import { Empty } from '../../components/Empty';
import { Sankey } from '../../components/Sankey';
import { Term } from '../../components/Term';
import { formatNumber, formatPercent } from '../../format';

export function PathsView({ data, picker, period, compact = false }: { data: PathsData; picker: PathsPicker; period: string; compact?: boolean }) {
  const backward = picker.direction === 'before';
  if (isEmptyPaths(data)) {
    return (
      <Empty title={`No customer did “${picker.event}” in ${period}.`}>
        <p>
          Widen the period or pick another event. Only events with a customer (a userId or anonymousId) make a path; check in{' '}
          <a href="#/events">Live events</a> that these events arrive.
        </p>
      </Empty>
    );
  }
  const title = backward ? `What ${formatNumber(data.profiles, 0)} customers did before “${picker.event}”` : `What ${formatNumber(data.profiles, 0)} customers did after “${picker.event}”`;
  const description = describePaths(data, picker.event, backward);
  return (
    <>
      <ChartFrame title={title} compact={compact}>
        <Sankey data={data} backward={backward} description={description} />
        {compact ? null : (
          <p className="muted small">
            Each column is a step {backward ? 'before the event (the event itself on the right)' : 'after the event (the event itself on the left)'}; a box is an
            event at that step, its height the customers there. “(end)” is where paths stop, “(start)” where they begin, and “(other)” gathers the flows
            beyond the {picker.limit} largest of a step (<Term id="paths">how paths are counted</Term>, <Term id="sankey">how to read a Sankey</Term>).
          </p>
        )}
      </ChartFrame>
      <details className="plain-details">
        <summary>The {data.links.length} flows as a table</summary>
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">{description}</caption>
            <thead>
              <tr>
                <th scope="col">From (step)</th>
                <th scope="col">To</th>
                <th scope="col" className="num">Customers</th>
                <th scope="col" className="num">Share of “from”</th>
              </tr>
            </thead>
            <tbody>
              {data.links.map((l) => {
                const from = nodeById(data, l.source);
                const to = nodeById(data, l.target);
                return (
                  <tr key={`${l.source}→${l.target}`}>
                    <th scope="row">
                      {from?.name} <span className="muted small">({stepLabel(l.step, data, backward)})</span>
                    </th>
                    <td>{to?.name}</td>
                    <td className="num">{formatNumber(l.count, 0)}</td>
                    <td className="num">{formatPercent(l.share)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}
