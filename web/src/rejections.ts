// Rejected ingest requests (GET /api/v1/events/rejected, kept in the server's memory since it
// started) as the Overview and Live events show them: the answer read defensively into rows with
// a stable number each (so a refreshed list keeps open bodies open), who sent it, and a line
// saying how many there were. Pure: components/RejectionList.tsx draws the rows.
import { finite, formatNumber } from './format';
import type { Rejection } from './types';

export interface RejectionRow extends Rejection {
  seq: number; // the rejection's id: its number since the server started (1 = the first)
}

export interface RejectedList {
  rows: RejectionRow[]; // newest first
  total: number; // rejections since the server started, including those no longer kept
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The answer of GET /api/v1/events/rejected; a missing or odd part reads as empty. */
export function readRejected(answer: unknown): RejectedList {
  const a = (answer && typeof answer === 'object' ? answer : {}) as Record<string, unknown>;
  const raw = Array.isArray(a.rejected) ? a.rejected : [];
  const total = Math.max(finite(a.total) ?? 0, raw.length);
  const rows = raw.map((x, i): RejectionRow => {
    const o = (x && typeof x === 'object' ? x : {}) as Record<string, unknown>;
    return {
      seq: finite(o.id) ?? total - i, // the server's id; older servers had none
      at: str(o.at),
      source: typeof o.source === 'string' && o.source !== '' ? o.source : null,
      endpoint: str(o.endpoint),
      status: finite(o.status) ?? 0,
      error: str(o.error),
      message: str(o.message),
      body: typeof o.body === 'string' ? o.body : '',
      truncated: o.truncated === true,
    };
  });
  return { rows, total };
}

/** Who sent it: the source's name, or why none is known. */
export function sourceLabel(source: string | null): string {
  return source ?? 'no known source (write key missing or unknown)';
}

/** "HTTP 400 invalid_argument". */
export function statusLabel(r: Pick<Rejection, 'status' | 'error'>): string {
  const status = r.status > 0 ? `HTTP ${r.status}` : 'refused';
  return r.error ? `${status} ${r.error}` : status;
}

/** "3 requests rejected since the server started; the newest 2 shown." */
export function rejectedSummary(list: RejectedList): string {
  const { total, rows } = list;
  if (total === 0) return 'No rejected events since the server started.';
  const what = `${formatNumber(total, 0)} request${total === 1 ? '' : 's'} rejected since the server started`;
  if (rows.length >= total) return `${what}.`;
  return `${what}; the newest ${formatNumber(rows.length, 0)} shown.`;
}
