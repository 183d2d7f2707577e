// API errors as the console shows them: the server's JSON {"error", "message"} (docs/api.md)
// kept as it is, plus a hint of what to do next chosen by status and code. Pure: api.ts builds
// ApiErrors from responses, components/ErrorNotice.tsx shows them.

export class ApiError extends Error {
  readonly status: number; // 0: the server could not be reached
  readonly code: string;
  readonly hint: string;
  readonly retryAfter: number | null;

  constructor(status: number, code: string, message: string, retryAfter: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
    this.hint = hintFor(status, code, retryAfter);
  }
}

/** What to do next after an error with this status and code. */
export function hintFor(status: number, code: string, retryAfter: number | null = null): string {
  if (status === 0 && code === 'client') return 'Reload the page; if it happens again, report it with this message.';
  if (status === 0 || ((status === 502 || status === 504) && code === '')) {
    return 'The server did not answer. Check that `rapport serve` is running and reachable from this browser, then retry.';
  }
  if (status === 401 || code === 'unauthenticated') return 'Sign in again with a valid API token.';
  if (status === 403 || code === 'permission_denied') {
    return "Your token's role may not do this. Ask an admin for a token with a role that may.";
  }
  if (status === 503 || status === 429 || code === 'unavailable') {
    const wait = retryAfter !== null && retryAfter > 0 ? `in ${retryAfter} s` : 'in a moment';
    return `The server is busy or cannot write right now. Retry ${wait}.`;
  }
  switch (code) {
    case 'invalid_argument':
      return 'Correct what the message names, then try again.';
    case 'not_found':
      return 'Check the spelling of the name or id; it may not exist (yet).';
    case 'already_exists':
      return 'Choose another name, or wait until the other run has finished.';
    case 'too_large':
      return 'Send less at once: split it into smaller parts.';
    case 'method_not_allowed':
      return 'The console and the server disagree about this route: use a console built with this server.';
    default:
      break;
  }
  if (status >= 500) return 'The server failed to answer. Retry; if it keeps failing, look at the server log.';
  if (status === 404) return 'Check the spelling of the name or id; it may not exist (yet).';
  return 'Retry; if it keeps failing, look at the server log.';
}

/** An ApiError from a response's status, body text and Retry-After header. */
export function errorFromResponse(status: number, body: string, retryAfterHeader: string | null = null): ApiError {
  const retry = retryAfterHeader !== null && /^\d+$/.test(retryAfterHeader.trim()) ? Number(retryAfterHeader) : null;
  let code = '';
  let message = '';
  try {
    const json: unknown = JSON.parse(body);
    if (json && typeof json === 'object') {
      const o = json as Record<string, unknown>;
      if (typeof o.error === 'string') code = o.error;
      if (typeof o.message === 'string') message = o.message;
    }
  } catch {
    // not JSON: a proxy's page or an empty body
  }
  if (message === '') {
    message =
      status >= 500 && code === ''
        ? `HTTP ${status}: no answer from the Rapport server (is it running?)`
        : `HTTP ${status}${code ? ` (${code})` : ''}`;
  }
  return new ApiError(status, code, message, retry);
}

/** An ApiError for a request that never got an answer (network down, server stopped). */
export function networkError(cause: unknown): ApiError {
  const detail = cause instanceof Error && cause.message ? ` (${cause.message})` : '';
  return new ApiError(0, 'network', `Could not reach the server${detail}.`);
}

/** Any thrown value as an ApiError (unexpected ones as status 0 "client"). */
export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError(0, 'client', message || 'Something went wrong in the console.');
}

/**
 * Whether the error means the server has no such endpoint (a server older than this console):
 * 404 "no such endpoint", or 405. Only for routes whose own 404s cannot happen where it is asked.
 */
export function isMissingEndpoint(error: ApiError): boolean {
  return error.status === 405 || (error.status === 404 && (error.code === 'not_found' || error.code === ''));
}

/**
 * The error of GET /api/v1/profiles/stats from a server older than the route: it reads "stats"
 * as a profile id and answers 400 "… is not a profile id"; that becomes a 404 like any missing
 * endpoint. Other errors are kept.
 */
export function profileStatsError(error: ApiError): ApiError {
  if (error.status === 400 && /not a profile id/i.test(error.message)) {
    return new ApiError(404, 'not_found', 'no such endpoint: GET /api/v1/profiles/stats');
  }
  return error;
}
