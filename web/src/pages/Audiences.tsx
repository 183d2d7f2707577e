// Audiences: `#/audiences` lists every audience (GET /api/v1/audiences) above the no-code builder;
// `#/audiences/<name>` shows one (its text, size, members, destinations, delete).
import { api } from '../api';
import { Empty } from '../components/Empty';
import { ErrorNotice } from '../components/ErrorNotice';
import { Loading } from '../components/Loading';
import { Term } from '../components/Term';
import { formatNumber } from '../format';
import { href } from '../router';
import { useAsync } from '../useAsync';
import { AudienceView } from './audiences/AudienceView';
import { Builder } from './audiences/Builder';
import { StatusBadge } from './audiences/StatusBadge';

export function Audiences({ name }: { name?: string }) {
  if (name !== undefined) return <AudienceView name={name} />;
  return <AudienceList />;
}

function AudienceList() {
  const list = useAsync((signal) => api.audiences(signal), []);
  const audiences = list.status === 'ok' ? list.data.audiences : [];
  return (
    <>
      <h1>Audiences</h1>
      <p className="lead">
        <Term id="audiences">Audiences</Term> are groups of customers described once and kept current as events arrive and time
        passes. Build one below: its size is previewed as you go.
      </p>
      <section aria-labelledby="audience-list-title">
        <h2 id="audience-list-title">Saved audiences</h2>
        {list.status === 'loading' ? (
          <Loading what="audiences" />
        ) : list.status === 'error' ? (
          <ErrorNotice error={list.error} onRetry={list.reload} title="The audiences could not be listed." />
        ) : audiences.length === 0 ? (
          <Empty title="No audiences yet.">
            <p>Describe one with the builder below, check its size, then save it.</p>
          </Empty>
        ) : (
          <div className="table-scroll">
            <table className="audience-list">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" className="num">
                    <Term id="audience-size">Size</Term>
                  </th>
                  <th scope="col">
                    <Term id="audience-status">Status</Term>
                  </th>
                  <th scope="col">Description</th>
                </tr>
              </thead>
              <tbody>
                {audiences.map((a) => (
                  <tr key={a.id}>
                    <th scope="row">
                      <a href={href({ page: 'audiences', name: a.name })}>{a.name}</a>
                    </th>
                    <td className="num">{formatNumber(a.size, 0)}</td>
                    <td>
                      <StatusBadge status={a.status} progress={a.progress} />
                    </td>
                    <td>
                      {a.description ? a.description : <span className="muted">—</span>}
                      <div className="muted small break">
                        <code>{a.definition}</code>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <Builder audienceNames={audiences.map((a) => a.name)} onSaved={list.reload} />
    </>
  );
}
