// Journeys: `#/journeys` lists every journey (GET /api/v1/journeys) with its trigger and counts,
// above the builder (admin, marketer: POST /api/v1/journeys); `#/journeys/<name>` watches one
// (its steps as a flow with counts per step, refreshed every 3 s; its definition; Delete).
import { api } from '../api';
import { Empty } from '../components/Empty';
import { ErrorNotice } from '../components/ErrorNotice';
import { Loading } from '../components/Loading';
import { Term } from '../components/Term';
import { formatNumber } from '../format';
import { triggerText } from '../journeys/flow';
import { can } from '../roles';
import { href } from '../router';
import { useSession } from '../session';
import { useAsync } from '../useAsync';
import { JourneyBuilder } from './journeys/JourneyBuilder';
import { JourneyView } from './journeys/JourneyView';

export function Journeys({ name }: { name?: string }) {
  if (name !== undefined) return <JourneyView name={name} />;
  return <JourneyList />;
}

export function JourneyStatus({ status }: { status: string }) {
  return <span className={`badge tone-${status === 'running' ? 'ok' : 'warn'}`}>{status}</span>;
}

function JourneyList() {
  const { role } = useSession();
  const list = useAsync((signal) => api.journeys(signal), []);
  const journeys = list.status === 'ok' ? list.data.journeys : [];
  const mayWrite = can(role, 'journeys.write');
  return (
    <>
      <h1>Journeys</h1>
      <p className="lead">
        <Term id="journey">Journeys</Term> react to what a customer does — an event, or entering an audience — with waits, branches and
        sends to destinations, for every customer, as it happens.
      </p>
      <section aria-labelledby="journey-list-title">
        <h2 id="journey-list-title">Every journey</h2>
        {list.status === 'loading' ? (
          <Loading what="journeys" />
        ) : list.status === 'error' ? (
          <ErrorNotice error={list.error} onRetry={list.reload} title="The journeys could not be listed." />
        ) : journeys.length === 0 ? (
          <Empty title="No journeys yet.">
            <p>{mayWrite ? 'Build one below: pick what starts it, then add its steps.' : 'An admin or a marketer can build one here.'}</p>
          </Empty>
        ) : (
          <div className="table-scroll">
            <table className="journey-list" id="journey-list">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">Steps</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    <Term id="journey-counts">Entered</Term>
                  </th>
                  <th scope="col" className="num">
                    <Term id="journey-counts">In it now</Term>
                  </th>
                  <th scope="col" className="num">
                    <Term id="journey-counts">Finished</Term>
                  </th>
                </tr>
              </thead>
              <tbody>
                {journeys.map((j) => (
                  <tr key={j.id} data-journey={j.name}>
                    <th scope="row">
                      <a href={href({ page: 'journeys', name: j.name })}>{j.name}</a>
                      {j.definition.description ? <div className="muted small">{j.definition.description}</div> : null}
                    </th>
                    <td>{triggerText(j.definition.trigger)}</td>
                    <td className="num">{j.definition.steps.length}</td>
                    <td>
                      <JourneyStatus status={j.status} />
                      {j.problems.length > 0 ? <div className="small tone-warn">{j.problems.join(' ')}</div> : null}
                    </td>
                    <td className="num" data-count="entered">{formatNumber(j.entered, 0)}</td>
                    <td className="num" data-count="active">{formatNumber(j.active, 0)}</td>
                    <td className="num" data-count="exited">{formatNumber(j.exited, 0)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {mayWrite ? <JourneyBuilder existing={journeys.map((j) => j.name)} /> : null}
    </>
  );
}
