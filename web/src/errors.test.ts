// Tests of errors.ts: the server's message kept, a hint of what to do next added.
import { describe, expect, it } from 'vitest';
import { asApiError, errorFromResponse, hintFor, isMissingEndpoint, networkError, profileStatsError } from './errors';

describe('errorFromResponse', () => {
  it('keeps the API error and message', () => {
    const e = errorFromResponse(400, '{"error":"invalid_argument","message":"limit: \\"0\\" is not a number from 1 to 1000"}');
    expect(e.status).toBe(400);
    expect(e.code).toBe('invalid_argument');
    expect(e.message).toBe('limit: "0" is not a number from 1 to 1000');
    expect(e.hint).toMatch(/Correct what the message names/);
  });
  it('says when to retry a 503', () => {
    const e = errorFromResponse(503, '{"error":"unavailable","message":"disk full"}', '3');
    expect(e.retryAfter).toBe(3);
    expect(e.hint).toBe('The server is busy or cannot write right now. Retry in 3 s.');
  });
  it('explains a non-JSON answer', () => {
    expect(errorFromResponse(502, '<html>Bad Gateway</html>').message).toBe(
      'HTTP 502: no answer from the Rapport server (is it running?)',
    );
    expect(errorFromResponse(502, '').hint).toMatch(/rapport serve/);
    expect(errorFromResponse(404, '').message).toBe('HTTP 404');
    expect(errorFromResponse(418, '{"error":"teapot"}').message).toBe('HTTP 418 (teapot)');
  });
});

describe('hintFor', () => {
  it('sends 401 back to sign-in and 403 to an admin', () => {
    expect(hintFor(401, 'unauthenticated')).toMatch(/Sign in again/);
    expect(hintFor(403, 'permission_denied')).toMatch(/Ask an admin/);
    expect(hintFor(404, 'not_found')).toMatch(/spelling/);
    expect(hintFor(409, 'already_exists')).toMatch(/another name/);
    expect(hintFor(500, 'internal')).toMatch(/server log/);
  });
  it('tells network failures from console bugs', () => {
    expect(networkError(new Error('Failed to fetch')).hint).toMatch(/rapport serve/);
    expect(networkError(new Error('Failed to fetch')).message).toBe('Could not reach the server (Failed to fetch).');
    expect(asApiError(new TypeError('x is undefined')).hint).toMatch(/Reload/);
  });
});

describe('missing endpoints (a server older than the console)', () => {
  it('recognises "no such endpoint" and 405, not other errors', () => {
    expect(isMissingEndpoint(errorFromResponse(404, '{"error":"not_found","message":"no such endpoint: GET /api/v1/events/rejected"}'))).toBe(true);
    expect(isMissingEndpoint(errorFromResponse(404, ''))).toBe(true);
    expect(isMissingEndpoint(errorFromResponse(405, '{"error":"method_not_allowed","message":"x"}'))).toBe(true);
    expect(isMissingEndpoint(errorFromResponse(500, '{"error":"internal","message":"x"}'))).toBe(false);
    expect(isMissingEndpoint(errorFromResponse(403, '{"error":"permission_denied","message":"x"}'))).toBe(false);
  });
  it('reads an old server taking "stats" for a profile id as a missing endpoint', () => {
    const old = profileStatsError(errorFromResponse(400, '{"error":"invalid_argument","message":"\\"stats\\" is not a profile id (they look like \\"p42\\")"}'));
    expect(old.status).toBe(404);
    expect(isMissingEndpoint(old)).toBe(true);
    const other = errorFromResponse(503, '{"error":"unavailable","message":"busy"}');
    expect(profileStatsError(other)).toBe(other);
  });
});
