// Assertions on HTTP answers that print the request and the whole answer on failure, so that a
// failing black-box test reads as a bug report: request, expected, got.

import assert from 'node:assert/strict';

export function describeRes(r) {
  const hdrs = r.headers ? Object.fromEntries(r.headers.entries()) : {};
  return `status ${r.status}, headers ${JSON.stringify(hdrs)}, body ${JSON.stringify((r.text ?? '').slice(0, 600))}`;
}

export function assertStatus(r, status, what = '') {
  assert.equal(r.status, status, `${what}: expected status ${status}, got ${describeRes(r)}`);
}

/** Expects a JSON error {error: code, message: text}; `msg`: RegExp(s) the message must all match. */
export function assertError(r, status, code, msg, what = '') {
  assertStatus(r, status, what);
  assert.ok(r.json && typeof r.json === 'object', `${what}: expected a JSON error body, got ${describeRes(r)}`);
  if (code) assert.equal(r.json.error, code, `${what}: expected error code ${code}, got ${describeRes(r)}`);
  assert.equal(typeof r.json.message, 'string', `${what}: expected a string message, got ${describeRes(r)}`);
  assert.ok(r.json.message.length > 0, `${what}: empty message`);
  for (const m of Array.isArray(msg) ? msg : msg ? [msg] : []) {
    assert.match(r.json.message, m, `${what}: message should match ${m}, got ${describeRes(r)}`);
  }
}

export function assertOk(r, what = '') {
  assertStatus(r, 200, what);
  assert.deepEqual(r.json, { success: true }, `${what}: expected {"success":true}, got ${describeRes(r)}`);
}
