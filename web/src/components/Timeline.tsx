// A profile's timeline, newest event first, 25 at a time with "Load more"
// (GET /api/v1/profiles/{id}/events?limit=25&after=CURSOR).
import { useEffect, useRef, useState } from 'react';
import { api } from '../api';
import { asApiError, type ApiError } from '../errors';
import { eventKey } from '../events';
import type { StoredEvent } from '../types';
import { ErrorNotice } from './ErrorNotice';
import { EventRow } from './EventRow';
import { Loading } from './Loading';

const PAGE = 25;

export function Timeline({ profileId, now }: { profileId: string; now: number }) {
  const [events, setEvents] = useState<StoredEvent[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const controller = useRef<AbortController | null>(null);

  const load = (after: string | null) => {
    controller.current?.abort();
    const c = new AbortController();
    controller.current = c;
    setLoading(true);
    setError(null);
    api
      .profileEvents(profileId, { limit: PAGE, after }, c.signal)
      .then((page) => {
        if (c.signal.aborted) return;
        setEvents((old) => (after ? [...old, ...page.events] : page.events));
        setNext(page.next);
        setLoading(false);
      })
      .catch((err: unknown) => {
        if (c.signal.aborted) return;
        setError(asApiError(err));
        setLoading(false);
      });
  };

  useEffect(() => {
    setEvents([]);
    setNext(null);
    load(null);
    return () => controller.current?.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [profileId]);

  return (
    <>
      {events.length > 0 ? (
        <ol className="events" aria-label={`Events of ${profileId}, newest first`}>
          {events.map((e, i) => (
            <EventRow key={eventKey(e, i)} event={e} now={now} showWho={false} />
          ))}
        </ol>
      ) : null}
      {loading ? <Loading what={events.length ? 'more events' : 'the timeline'} /> : null}
      {error ? <ErrorNotice error={error} onRetry={() => load(events.length ? next : null)} /> : null}
      {!loading && !error && next ? (
        <button type="button" className="secondary" onClick={() => load(next)}>
          Load {PAGE} more
        </button>
      ) : null}
      {!loading && !error && !next && events.length > 0 ? <p className="muted small">That is every event of this profile.</p> : null}
    </>
  );
}
