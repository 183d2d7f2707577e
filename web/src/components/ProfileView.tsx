// The 360° view of one profile (GET /api/v1/profiles/{id} or the identifier look-up): its
// identities and merge history, traits with their source and time, computed traits,
// audiences, journeys, accounts, and the timeline (components/Timeline).
import { formatDateTime, formatRelative, formatValue, plural } from '../format';
import { href } from '../router';
import { journeyStatus, readProfileJourneys } from '../profiles/journeys';
import type { Profile } from '../types';
import { useSourceName } from '../useSources';
import { Empty } from './Empty';
import { Term } from './Term';
import { Timeline } from './Timeline';

export function ProfileView({ profile: p, foundBy, requestedId }: { profile: Profile; foundBy?: string; requestedId?: string }) {
  const sourceName = useSourceName();
  const now = Date.now();
  const traits = Object.entries(p.traits ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const computed = Object.entries(p.computed ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const merged = (p.merges ?? []).filter((m) => m.kind === 'merge');
  const blocked = (p.merges ?? []).filter((m) => m.kind !== 'merge');
  const journeys = readProfileJourneys(p.journeys);
  return (
    <article className="profile" aria-labelledby="profile-title">
      <header className="profile-header">
        <h2 id="profile-title">
          Profile <code>{p.id}</code>
        </h2>
        <p className="muted">
          {foundBy ? <>Found by {foundBy}. </> : null}
          {requestedId && requestedId !== p.id ? (
            <>
              {requestedId} was merged into this profile.{' '}
            </>
          ) : null}
          {plural(p.eventCount, 'event')} · first seen <span title={formatDateTime(p.firstSeen)}>{formatRelative(p.firstSeen, now)}</span>{' '}
          · last seen <span title={formatDateTime(p.lastSeen)}>{formatRelative(p.lastSeen, now)}</span>
        </p>
      </header>

      <div className="grid-2">
        <section className="card" aria-labelledby="h-identities">
          <h3 id="h-identities">Identities</h3>
          <table>
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Value</th>
                <th scope="col">First seen</th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {(p.identities ?? []).map((i) => (
                <tr key={`${i.type}:${i.value}`}>
                  <td>{i.type}</td>
                  <td className="break">{i.value}</td>
                  <td title={formatDateTime(i.firstSeen)}>{formatRelative(i.firstSeen, now)}</td>
                  <td>{sourceName(i.source)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h4>
            <Term id="profiles">Merge history</Term>
          </h4>
          {merged.length === 0 ? (
            <p className="muted small">No other profile was merged into this one.</p>
          ) : (
            <ul className="merges">
              {merged.map((m, k) => (
                <li key={`${m.messageId}-${k}`}>
                  <span title={formatDateTime(m.timestamp)}>{formatRelative(m.timestamp, now)}</span>: profile{' '}
                  {m.from ? <a href={href({ page: 'profiles', profileId: m.from })}>{m.from}</a> : '?'} joined this one
                  through {ids(m.identifiers)}{' '}
                  <span className="muted small">
                    (event {m.messageId}, {sourceName(m.source)})
                  </span>
                </li>
              ))}
            </ul>
          )}
          {blocked.length > 0 ? (
            <details className="blocked">
              <summary>
                {plural(blocked.length + (p.blockedNotShown ?? 0), 'identifier')} left out to respect the limits per
                profile
              </summary>
              <p className="small muted">
                Each time, an event carried an identifier that would have given this profile more values of a type than
                allowed (one user id, for example — a shared computer looks like this). The event still counts for this
                profile; only the identifier was not linked.
              </p>
              <ul className="merges">
                {blocked.map((m, k) => (
                  <li key={`${m.messageId}-${k}`}>
                    <span title={formatDateTime(m.timestamp)}>{formatRelative(m.timestamp, now)}</span>:{' '}
                    {ids(m.identifiers)} (limit of {m.conflict}){' '}
                    <span className="muted small">event {m.messageId}</span>
                  </li>
                ))}
                {p.blockedNotShown > 0 ? <li className="muted">…and {plural(p.blockedNotShown, 'older one')}</li> : null}
              </ul>
            </details>
          ) : null}
        </section>

        <section className="card" aria-labelledby="h-traits">
          <h3 id="h-traits">Traits</h3>
          {traits.length === 0 ? (
            <p className="muted small">No traits yet: they come from identify calls and the traits in an event&apos;s context.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Trait</th>
                  <th scope="col">Value</th>
                  <th scope="col">Set by</th>
                  <th scope="col">At</th>
                </tr>
              </thead>
              <tbody>
                {traits.map(([name, value]) => {
                  const src = p.traitSources?.[name];
                  return (
                    <tr key={name}>
                      <td>{name}</td>
                      <td className="break">{formatValue(value)}</td>
                      <td>{sourceName(src?.source)}</td>
                      <td title={formatDateTime(src?.timestamp)}>{formatRelative(src?.timestamp, now)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          <h4>
            <Term id="computed-traits">Computed traits</Term>
          </h4>
          {computed.length === 0 ? (
            <p className="muted small">None defined for this workspace yet.</p>
          ) : (
            <table>
              <tbody>
                {computed.map(([name, value]) => (
                  <tr key={name}>
                    <th scope="row">{name}</th>
                    <td>{formatValue(value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h4>
            <Term id="audiences">Audiences</Term>
          </h4>
          {(p.audiences ?? []).length === 0 ? (
            <p className="muted small">In no audience now.</p>
          ) : (
            <ul className="plain">
              {p.audiences.map((a) => (
                <li key={a.name}>
                  <a href={href({ page: 'audiences', name: a.name })}>{a.name}</a>{' '}
                  <span className="muted small">since {formatRelative(a.since, now)}</span>
                </li>
              ))}
            </ul>
          )}
          <h4>
            <Term id="journey">Journeys</Term>
          </h4>
          {journeys.length === 0 ? (
            <p className="muted small">In no journey so far.</p>
          ) : (
            <ul className="plain" aria-label="Journeys of this profile">
              {journeys.map((j) => (
                <li key={j.name}>
                  <a href={href({ page: 'journeys', name: j.name })}>{j.name}</a>{' '}
                  <span className="muted small">{journeyStatus(j, now)}</span>
                </li>
              ))}
            </ul>
          )}
          {(p.accounts ?? []).length > 0 ? (
            <>
              <h4>Accounts</h4>
              <p>{p.accounts.join(', ')}</p>
            </>
          ) : null}
        </section>
      </div>

      <section className="card" aria-labelledby="h-timeline">
        <h3 id="h-timeline">Timeline</h3>
        {p.eventCount === 0 ? <Empty title="No events on this profile." /> : <Timeline profileId={p.id} now={now} />}
      </section>
    </article>
  );
}

function ids(list: Array<{ type: string; value: string }>) {
  return list.map((i) => `${i.type} ${i.value}`).join(', ');
}
