// One event in a list (Live events, a profile's timeline): when, what, who and a few details on
// one line, the whole JSON one click (or Enter) away. `clock` picks the time shown: when the
// event happened (timelines are ordered by it) or when it arrived (Live events' order).
import { eventDetails, eventTitle, eventWho } from '../events';
import { formatDateTime, formatRelative } from '../format';
import type { StoredEvent } from '../types';

export function EventRow({
  event,
  now,
  showWho = true,
  clock = 'happened',
}: {
  event: StoredEvent;
  now: number;
  showWho?: boolean;
  clock?: 'happened' | 'arrived';
}) {
  const when = clock === 'arrived' ? event.receivedAt ?? event.timestamp : event.timestamp ?? event.receivedAt;
  const title = `happened ${formatDateTime(event.timestamp)}, arrived ${formatDateTime(event.receivedAt)}`;
  const type = typeof event.type === 'string' ? event.type : 'other';
  return (
    <li className={`event-row${showWho ? '' : ' no-who'}`}>
      <details>
        <summary>
          <time dateTime={typeof when === 'string' ? when : undefined} title={title} className="event-time">
            {formatRelative(when, now)}
          </time>
          <span className={`event-type type-${type}`}>{type}</span>
          <span className="event-title">{eventTitle(event)}</span>
          {showWho ? <span className="event-who">{eventWho(event)}</span> : null}
          <span className="event-details">{eventDetails(event)}</span>
        </summary>
        <pre tabIndex={0}>{JSON.stringify(event, null, 2)}</pre>
      </details>
    </li>
  );
}
