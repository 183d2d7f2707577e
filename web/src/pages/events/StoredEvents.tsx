// Live events › Stored events (`#/events`): the newest stored events (GET /api/v1/events?limit=N&
// source=NAME, "Load older" with the cursor) and, on top, events as they are stored (GET
// /api/v1/events/stream). Pause holds new events aside without losing them; each event's JSON
// opens in place.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api';
import { Empty } from '../../components/Empty';
import { ErrorNotice } from '../../components/ErrorNotice';
import { EventRow } from '../../components/EventRow';
import { Loading } from '../../components/Loading';
import { SendFirstEvent } from '../../components/SendFirstEvent';
import { asApiError, type ApiError } from '../../errors';
import { eventKey } from '../../events';
import { formatNumber } from '../../format';
import type { StoredEvent } from '../../types';
import { useEventStream, type StreamState } from '../../useEventStream';
import { useSources } from '../../useSources';

const LIMITS = [25, 50, 100, 250];
const MAX_SHOWN = 1000;
const MAX_HELD = 1000;

export function StoredEvents() {
  const sources = useSources();
  const [source, setSource] = useState('');
  const [limit, setLimit] = useState(50);
  const [events, setEvents] = useState<StoredEvent[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [paused, setPaused] = useState(false);
  const [held, setHeld] = useState<StoredEvent[]>([]);
  const [dropped, setDropped] = useState(0);
  const [now, setNow] = useState(Date.now());
  const seen = useRef(new Set<string>());
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const heldCount = useRef(0);

  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(t);
  }, []);

  const load = useCallback(
    (after: string | null, signal?: AbortSignal) => {
      setLoading(true);
      setError(null);
      api
        .events({ limit, source: source || undefined, after }, signal)
        .then((page) => {
          if (signal?.aborted) return;
          const fresh = page.events.filter((e) => !remember(seen.current, e));
          // Events streamed while the page loaded are newer: they stay on top.
          setEvents((old) => [...old, ...fresh]);
          setNext(page.next);
          setLoading(false);
        })
        .catch((err: unknown) => {
          if (signal?.aborted) return;
          setError(asApiError(err));
          setLoading(false);
        });
    },
    [limit, source],
  );

  useEffect(() => {
    const c = new AbortController();
    seen.current = new Set();
    setEvents([]);
    setHeld([]);
    heldCount.current = 0;
    setDropped(0);
    load(null, c.signal);
    return () => c.abort();
  }, [load]);

  const onEvent = useCallback((e: StoredEvent) => {
    if (remember(seen.current, e)) return;
    if (pausedRef.current) {
      if (heldCount.current < MAX_HELD) {
        heldCount.current++;
        setHeld((h) => [e, ...h]);
      } else {
        setDropped((d) => d + 1);
      }
    } else {
      setEvents((old) => [e, ...old].slice(0, MAX_SHOWN));
    }
  }, []);
  const stream = useEventStream(source, onEvent);

  const resume = () => {
    setEvents((old) => [...held, ...old].slice(0, MAX_SHOWN));
    setHeld([]);
    heldCount.current = 0;
    setDropped(0);
    setPaused(false);
  };

  return (
    <>
      <div className="toolbar controls">
        <label htmlFor="ev-source">Source</label>
        <select id="ev-source" value={source} onChange={(e) => setSource(e.target.value)}>
          <option value="">all sources</option>
          {sources.map((s) => (
            <option key={s.id} value={s.name}>
              {s.name}
            </option>
          ))}
        </select>
        <label htmlFor="ev-limit">Show</label>
        <select id="ev-limit" value={limit} onChange={(e) => setLimit(Number(e.target.value))}>
          {LIMITS.map((n) => (
            <option key={n} value={n}>
              newest {n}
            </option>
          ))}
        </select>
        {paused ? (
          <button type="button" onClick={resume}>
            Resume{held.length ? ` (${formatNumber(held.length + dropped, 0)} new)` : ''}
          </button>
        ) : (
          <button type="button" className="secondary" onClick={() => setPaused(true)}>
            Pause
          </button>
        )}
      </div>
      <StreamStatus state={stream} paused={paused} held={held.length} dropped={dropped} />
      <p className="muted small">
        Newest first, in the order they were stored; times are when each event arrived (hover for when it happened).
      </p>
      {error ? <ErrorNotice error={error} onRetry={() => load(null)} title="The events could not be loaded." /> : null}
      {!loading && !error && events.length === 0 ? (
        source ? (
          <Empty title={`No events from ${source} yet.`}>
            <p>New ones appear here as they arrive. Choose “all sources” to see the others.</p>
          </Empty>
        ) : (
          <Empty title="No events yet — send one:">
            <p>This page is live: it shows the event as soon as it is stored.</p>
            <SendFirstEvent />
          </Empty>
        )
      ) : null}
      {events.length > 0 ? (
        <ol className="events" aria-label="Events, newest first">
          {events.map((e, i) => (
            <EventRow key={eventKey(e, i)} event={e} now={now} clock="arrived" />
          ))}
        </ol>
      ) : null}
      {loading ? <Loading what="events" /> : null}
      {!loading && !error && next && events.length < MAX_SHOWN ? (
        <button type="button" className="secondary" onClick={() => load(next)}>
          Load older events
        </button>
      ) : null}
    </>
  );
}

/** Adds the event's messageId to `seen`; true if it was there already. */
function remember(seen: Set<string>, e: StoredEvent): boolean {
  if (typeof e.messageId !== 'string') return false;
  if (seen.has(e.messageId)) return true;
  seen.add(e.messageId);
  return false;
}

function StreamStatus({ state, paused, held, dropped }: { state: StreamState; paused: boolean; held: number; dropped: number }) {
  let text: string;
  let tone = 'ok';
  if (paused) {
    text = held
      ? `Paused: ${formatNumber(held, 0)} new events held${dropped ? `; the ${formatNumber(dropped, 0)} newest are not kept: reload to see them` : ''}. Resume to show them.`
      : 'Paused: new events are held until you resume.';
    tone = 'paused';
  } else if (state.status === 'live') {
    text = 'Live: new events appear at the top as they are stored.';
  } else if (state.status === 'connecting') {
    text = 'Connecting to the live stream…';
    tone = 'paused';
  } else if (state.status === 'retrying') {
    text = `The live stream was cut (${state.error.message}). Reconnecting in ${state.inSeconds} s…`;
    tone = 'warn';
  } else {
    return <ErrorNotice error={state.error} title="The live stream is not available." />;
  }
  return (
    <p className={`stream-status tone-${tone}`} role="status" aria-live="polite">
      <span className="dot" aria-hidden="true" /> {text}
    </p>
  );
}
