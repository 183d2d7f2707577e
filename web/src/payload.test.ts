// Tests of payload.ts: JSON pretty-printed, anything else shown as sent, with a note.
import { describe, expect, it } from 'vitest';
import { payloadView, prettyPayload } from './payload';

describe('prettyPayload', () => {
  it('indents JSON and keeps other text as it is', () => {
    expect(prettyPayload('{"email":null}')).toBe('{\n  "email": null\n}');
    expect(prettyPayload('plain text')).toBe('plain text');
    expect(prettyPayload(undefined)).toBe('');
    expect(prettyPayload({ a: 1 })).toBe('{\n  "a": 1\n}');
  });
});

describe('payloadView', () => {
  it('pretty-prints a whole JSON body without a note', () => {
    expect(payloadView('{"type":"track","event":""}')).toEqual({ text: '{\n  "type": "track",\n  "event": ""\n}', json: true, note: null });
  });
  it('shows a body that is not JSON as it was sent', () => {
    const v = payloadView('{"type":"track",');
    expect(v).toEqual({ text: '{"type":"track",', json: false, note: 'Not valid JSON: shown as it was sent.' });
  });
  it('says when the server kept only the start of the body', () => {
    const body = '{"batch":[' + '{"a":1},'.repeat(300);
    const v = payloadView(body.slice(0, 2048), true);
    expect(v.json).toBe(false);
    expect(v.text).toBe(body.slice(0, 2048));
    expect(v.note).toBe('Only the first 2 KB were kept, shown as text as it was sent.');
    expect(payloadView('x', true, 100).note).toMatch(/first 100 bytes/);
  });
  it('names an empty body', () => {
    expect(payloadView('')).toEqual({ text: '', json: false, note: 'The request had no body.' });
    expect(payloadView(null).note).toBe('The request had no body.');
  });
});
