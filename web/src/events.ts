// How a stored event is named and summarised in lists (Live events, a profile's timeline):
// a pure function of the event JSON that the API returns.
import { formatValue } from './format';
import type { StoredEvent } from './types';

/** "Order Completed", "page: Pricing", "screen", "identify", "Audience Entered". */
export function eventTitle(e: StoredEvent): string {
  const type = typeof e.type === 'string' ? e.type : 'event';
  if (type === 'track') return typeof e.event === 'string' && e.event !== '' ? e.event : 'track';
  if (type === 'page' || type === 'screen') return typeof e.name === 'string' && e.name !== '' ? `${type}: ${e.name}` : type;
  if (typeof e.event === 'string' && e.event !== '') return e.event; // e.g. timeline entries
  return type;
}

/** Who the event is about: "user u42", "anonymous 6f1c…", or "no identifier". */
export function eventWho(e: StoredEvent): string {
  if (e.userId !== undefined && e.userId !== null && e.userId !== '') return `user ${String(e.userId)}`;
  if (e.anonymousId !== undefined && e.anonymousId !== null && e.anonymousId !== '') {
    const a = String(e.anonymousId);
    return `anonymous ${a.length > 12 ? a.slice(0, 12) + '…' : a}`;
  }
  return 'no identifier';
}

/** Up to `max` "key: value" pairs of the properties (track, page, screen) or traits (identify, group). */
export function eventDetails(e: StoredEvent, max = 3): string {
  const bag = e.type === 'identify' || e.type === 'group' ? e.traits : e.properties;
  if (!bag || typeof bag !== 'object') return '';
  const entries = Object.entries(bag);
  const shown = entries.slice(0, max).map(([k, v]) => {
    const text = formatValue(v);
    return `${k}: ${text.length > 40 ? text.slice(0, 39) + '…' : text}`;
  });
  if (entries.length > max) shown.push(`+${entries.length - max} more`);
  return shown.join(' · ');
}

/** A stable key for React lists. */
export function eventKey(e: StoredEvent, index: number): string {
  return typeof e.messageId === 'string' && e.messageId !== '' ? e.messageId : `i${index}`;
}
