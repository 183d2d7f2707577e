// The console's only way to the server: the documented /api/v1 API (docs/api.md) on the same
// origin, every request with `Authorization: Bearer <token>`. Errors come back as ApiError
// (the server's message plus a hint); a 401 also calls the handler App installs, which signs
// the user out with the message. The live stream is read with fetch() and the SSE parser,
// because EventSource cannot send the Authorization header.
import { loadToken } from './auth';
import { ApiError, errorFromResponse, networkError, profileStatsError } from './errors';
import { SseParser } from './sse';
import type {
  AttributionResult,
  Audience,
  AudienceHistory,
  AudienceMembers,
  AudiencePreview,
  ClvResult,
  Dashboard,
  DashboardTile,
  DeadLetter,
  Journey,
  Destination,
  EventsPage,
  ImportJob,
  Profile,
  ProfileStats,
  QueryAnswer,
  RejectedPage,
  RfmResult,
  RoiResult,
  Source,
  StoredEvent,
  WhoAmI,
} from './types';

type UnauthorizedHandler = (message: string) => void;
let onUnauthorized: UnauthorizedHandler | null = null;

/** Called with the server's message whenever a request answers 401. */
export function setUnauthorizedHandler(handler: UnauthorizedHandler | null): void {
  onUnauthorized = handler;
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown; // sent as JSON
  raw?: Blob; // sent as it is (a file), instead of `body`
  token?: string; // default: the stored token
  signal?: AbortSignal;
}

function headers(token: string | null, json: boolean): Headers {
  const h = new Headers({ Accept: 'application/json' });
  if (token) h.set('Authorization', `Bearer ${token}`);
  if (json) h.set('Content-Type', 'application/json');
  return h;
}

async function send(path: string, opts: RequestOptions, accept?: string): Promise<Response> {
  const token = opts.token ?? loadToken();
  const h = headers(token, opts.body !== undefined && opts.raw === undefined);
  if (opts.raw) h.set('Content-Type', opts.raw.type || 'application/octet-stream');
  if (accept) h.set('Accept', accept);
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? 'GET',
      headers: h,
      body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
      signal: opts.signal,
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw networkError(err);
  }
  if (!res.ok) {
    const text = await res.text().catch(() => '');
    const error = errorFromResponse(res.status, text, res.headers.get('Retry-After'));
    // A token given explicitly (sign-in) is being tried: its page shows the error itself.
    if (res.status === 401 && opts.token === undefined && onUnauthorized) onUnauthorized(error.message);
    throw error;
  }
  return res;
}

/** One JSON request to the API. */
export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(path, opts);
  const text = await res.text();
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(res.status, 'bad_answer', `The server answered ${path} with something that is not JSON.`);
  }
}

function query(params: Record<string, string | number | undefined | null>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

const seg = encodeURIComponent;

export const api = {
  whoami: (token?: string, signal?: AbortSignal) => request<WhoAmI>('/api/v1/whoami', { token, signal }),

  events: (p: { limit?: number; source?: string; after?: string | null }, signal?: AbortSignal) =>
    request<EventsPage>(`/api/v1/events${query({ limit: p.limit, source: p.source, after: p.after })}`, { signal }),

  /** GET /api/v1/events/rejected?limit=N (1–200): the newest refused ingest requests, and how many since the server started. */
  rejectedEvents: (limit: number, signal?: AbortSignal) =>
    request<RejectedPage>(`/api/v1/events/rejected${query({ limit })}`, { signal }),

  sources: (signal?: AbortSignal) => request<{ sources: Source[] }>('/api/v1/sources', { signal }),

  createSource: (name: string) =>
    request<{ id: string; name: string; writeKey: string }>('/api/v1/sources', { method: 'POST', body: { name } }),

  /** A /v1/batch body into a source, by id or name (admin, marketer). */
  sendBatch: (source: string, batch: Array<Record<string, unknown>>) =>
    request<{ success: boolean }>(`/api/v1/sources/${seg(source)}/batch`, { method: 'POST', body: { batch } }),

  /** `path` from identifiers.profileLookupPath. */
  profileByIdentifier: (path: string, signal?: AbortSignal) => request<Profile>(path, { signal }),

  /** GET /api/v1/profiles/stats: how many profiles, and how many hold a user_id or an email. */
  /** An older server reads "stats" as a profile id: its 400 comes back as a 404 (errors.ts). */
  profileStats: (signal?: AbortSignal) =>
    request<ProfileStats>('/api/v1/profiles/stats', { signal }).catch((err: unknown) => {
      throw err instanceof ApiError ? profileStatsError(err) : err;
    }),

  profile: (id: string, signal?: AbortSignal) => request<Profile>(`/api/v1/profiles/${seg(id)}`, { signal }),

  profileEvents: (id: string, p: { limit?: number; after?: string | null }, signal?: AbortSignal) =>
    request<EventsPage>(`/api/v1/profiles/${seg(id)}/events${query({ limit: p.limit, after: p.after })}`, { signal }),

  audiences: (signal?: AbortSignal) => request<{ audiences: Audience[] }>('/api/v1/audiences', { signal }),

  /** GET /api/v1/audiences/{name}. */
  audience: (name: string, signal?: AbortSignal) => request<Audience>(`/api/v1/audiences/${seg(name)}`, { signal }),

  /** POST /api/v1/audiences (admin, marketer): `{"name","description"?,"tree"}`; 201 AUDIENCE; 409 if the name is taken. */
  createAudience: (body: { name: string; description?: string; tree: unknown }) =>
    request<Audience>('/api/v1/audiences', { method: 'POST', body }),

  /** POST /api/v1/audiences/preview (every role): the size now; 400 says what is wrong with the definition. */
  previewAudience: (body: { tree: unknown } | { definition: string }, signal?: AbortSignal) =>
    request<AudiencePreview>('/api/v1/audiences/preview', { method: 'POST', body, signal }),

  /** DELETE /api/v1/audiences/{name} (admin, marketer): 409 while another audience reads it. */
  deleteAudience: (name: string) => request<unknown>(`/api/v1/audiences/${seg(name)}`, { method: 'DELETE' }),

  /** GET /api/v1/audiences/{name}/members?limit=N&after=ID: profile ids, by id. */
  audienceMembers: (name: string, p: { limit?: number; after?: string | null }, signal?: AbortSignal) =>
    request<AudienceMembers>(`/api/v1/audiences/${seg(name)}/members${query({ limit: p.limit, after: p.after })}`, { signal }),

  /** GET /api/v1/audiences/{name}/history?days=N: entered, exited and size per UTC day, oldest first. */
  audienceHistory: (name: string, days: number, signal?: AbortSignal) =>
    request<AudienceHistory>(`/api/v1/audiences/${seg(name)}/history${query({ days })}`, { signal }),

  /** PUT /api/v1/audiences/{name}/destinations (admin, marketer): answers AUDIENCE; 400 for an unknown destination. */
  setAudienceDestinations: (name: string, destinations: string[]) =>
    request<Audience>(`/api/v1/audiences/${seg(name)}/destinations`, { method: 'PUT', body: { destinations } }),

  /** GET /api/v1/journeys: every journey with its counts, by id. */
  journeys: (signal?: AbortSignal) => request<{ journeys: Journey[] }>('/api/v1/journeys', { signal }),

  /** GET /api/v1/journeys/{name}: one journey with its counts per step. */
  journey: (name: string, signal?: AbortSignal) => request<Journey>(`/api/v1/journeys/${seg(name)}`, { signal }),

  /** POST /api/v1/journeys (admin, marketer): the definition; 201 JOURNEY; 400 names the field; 409 if the name is taken. */
  createJourney: (definition: Record<string, unknown>) => request<Journey>('/api/v1/journeys', { method: 'POST', body: definition }),

  /** DELETE /api/v1/journeys/{name} (admin, marketer): its instances stop. */
  deleteJourney: (name: string) => request<{ deleted: boolean }>(`/api/v1/journeys/${seg(name)}`, { method: 'DELETE' }),

  computedTraits: (signal?: AbortSignal) =>
    request<{ computedTraits: Array<{ definition: Record<string, unknown>; status: string }> }>(
      '/api/v1/computed-traits',
      { signal },
    ),

  query: <T>(spec: object, signal?: AbortSignal) =>
    request<QueryAnswer<T>>('/api/v1/query', { method: 'POST', body: spec, signal }),

  /** POST /api/v1/insights/clv: BG/NBD and Gamma-Gamma; 400 with a message when they cannot be fitted. */
  clv: (spec: object, signal?: AbortSignal) =>
    request<QueryAnswer<ClvResult>>('/api/v1/insights/clv', { method: 'POST', body: spec, signal }),

  /** POST /api/v1/insights/rfm: customers per segment and per R×F cell. */
  rfm: (spec: object, signal?: AbortSignal) =>
    request<QueryAnswer<RfmResult>>('/api/v1/insights/rfm', { method: 'POST', body: spec, signal }),

  /** POST /api/v1/insights/attribution: conversions and revenue per channel under every model. */
  attribution: (spec: object, signal?: AbortSignal) =>
    request<QueryAnswer<AttributionResult>>('/api/v1/insights/attribution', { method: 'POST', body: spec, signal }),

  /** GET /api/v1/destinations: every destination with its delivery health, by name. */
  destinations: (signal?: AbortSignal) => request<{ destinations: Destination[] }>('/api/v1/destinations', { signal }),

  /** GET /api/v1/destinations/{name}: the definition (no secret) and its health now. */
  destination: (name: string, signal?: AbortSignal) => request<Destination>(`/api/v1/destinations/${seg(name)}`, { signal }),

  /** POST /api/v1/destinations (admin): 201 with the signing secret, the only time it is shown. */
  createDestination: (definition: Record<string, unknown>) =>
    request<Destination>('/api/v1/destinations', { method: 'POST', body: definition }),

  /** POST /api/v1/destinations/{name}/test (admin, marketer): enqueues a sample message. */
  testDestination: (name: string) =>
    request<{ enqueued: boolean; id: number; idempotencyKey: string; body: string }>(`/api/v1/destinations/${seg(name)}/test`, {
      method: 'POST',
    }),

  /** GET /api/v1/destinations/{name}/dead-letters?limit=N&after=ID (admin, marketer), oldest first. */
  deadLetters: (name: string, p: { limit?: number; after?: number | null }, signal?: AbortSignal) =>
    request<{ deadLetters: DeadLetter[]; next: number | null }>(
      `/api/v1/destinations/${seg(name)}/dead-letters${query({ limit: p.limit, after: p.after })}`,
      { signal },
    ),

  /** POST /api/v1/destinations/{name}/dead-letters/replay (admin, marketer): {"ids":[…]} or {"all":true}. */
  replayDeadLetters: (name: string, body: { ids: number[] } | { all: true }) =>
    request<{ replayed: number }>(`/api/v1/destinations/${seg(name)}/dead-letters/replay`, { method: 'POST', body }),

  /** DELETE /api/v1/destinations/{name}/dead-letters/{id} (admin, marketer): 404 when it is gone. */
  deleteDeadLetter: (name: string, id: number) =>
    request<{ deleted: boolean }>(`/api/v1/destinations/${seg(name)}/dead-letters/${seg(String(id))}`, { method: 'DELETE' }),

  /** GET /api/v1/dashboards (every role): every dashboard, by name. */
  dashboards: (signal?: AbortSignal) => request<{ dashboards: Dashboard[] }>('/api/v1/dashboards', { signal }),

  /** GET /api/v1/dashboards/{id}: 404 when it is gone. */
  dashboard: (id: string, signal?: AbortSignal) => request<Dashboard>(`/api/v1/dashboards/${seg(id)}`, { signal }),

  /** POST /api/v1/dashboards `{"name","tiles"}`: 201 DASHBOARD; 409 when the name is taken; 400 names the field. */
  createDashboard: (body: { name: string; tiles: DashboardTile[] }) =>
    request<Dashboard>('/api/v1/dashboards', { method: 'POST', body }),

  /** PUT /api/v1/dashboards/{id} `{"name","tiles"}`, the whole dashboard: 200 DASHBOARD. */
  updateDashboard: (id: string, body: { name: string; tiles: DashboardTile[] }) =>
    request<Dashboard>(`/api/v1/dashboards/${seg(id)}`, { method: 'PUT', body }),

  /** DELETE /api/v1/dashboards/{id}: 204. */
  deleteDashboard: (id: string) => request<unknown>(`/api/v1/dashboards/${seg(id)}`, { method: 'DELETE' }),

  /** POST /api/v1/imports (admin, marketer) `{"source","fileName","mapping"}`: 201, waiting for its data; 400 names the mapping's line. */
  createImport: (body: { source: string; fileName: string; mapping: string }) =>
    request<ImportJob>('/api/v1/imports', { method: 'POST', body }),

  /** PUT /api/v1/imports/{id}/data: the file as the body (up to 256 MB); 202, the import runs. */
  uploadImport: (id: string, file: Blob) => request<ImportJob>(`/api/v1/imports/${seg(id)}/data`, { method: 'PUT', raw: file }),

  /** GET /api/v1/imports/{id}: its progress. */
  importJob: (id: string, signal?: AbortSignal) => request<ImportJob>(`/api/v1/imports/${seg(id)}`, { signal }),

  /** GET /api/v1/imports: every import since the server started, newest first. */
  imports: (signal?: AbortSignal) => request<{ imports: ImportJob[] }>('/api/v1/imports', { signal }),

  /** GET /api/v1/imports/{id}/rejects: the rejected rows, JSON Lines, as a file to save. */
  importRejects: async (id: string): Promise<Blob> => (await send(`/api/v1/imports/${seg(id)}/rejects`, {}, 'application/x-ndjson')).blob(),

  /** POST /api/v1/insights/roi: spend, CAC, ROAS, LTV:CAC, payback and marginal ROAS per channel. */
  roi: (spec: object, signal?: AbortSignal) =>
    request<QueryAnswer<RoiResult>>('/api/v1/insights/roi', { method: 'POST', body: spec, signal }),
};

/**
 * Reads GET /api/v1/events/stream until `signal` aborts or the server ends the stream; calls
 * `onEvent` for every event. Resolves when the stream ends, rejects with an ApiError.
 */
export async function streamEvents(opts: {
  source?: string;
  signal: AbortSignal;
  onOpen?: () => void;
  onEvent: (event: StoredEvent) => void;
}): Promise<void> {
  const res = await send(`/api/v1/events/stream${query({ source: opts.source })}`, { signal: opts.signal }, 'text/event-stream');
  if (!res.body) throw new ApiError(0, 'client', 'This browser cannot read streamed answers.');
  opts.onOpen?.();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const message of parser.feed(value)) {
        let event: StoredEvent;
        try {
          event = JSON.parse(message.data) as StoredEvent;
        } catch {
          continue; // not an event: skip it
        }
        opts.onEvent(event);
      }
    }
  } catch (err) {
    if (opts.signal.aborted) return;
    throw networkError(err);
  } finally {
    reader.releaseLock();
  }
}
