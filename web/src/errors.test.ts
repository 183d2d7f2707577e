// Tests of errors.ts: the server's message kept, a hint of what to do next added.
import { describe, expect, it } from 'vitest';
import { asApiError, errorFromResponse, hintFor, networkError } from './errors';

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
