// Tests of destinationForm.ts: form values → the webhook definition, and the problems per field.
import { describe, expect, it } from 'vitest';
import { destinationDefinition, EMPTY_DESTINATION_FORM, parseHeaders } from './destinationForm';

const base = { ...EMPTY_DESTINATION_FORM, name: 'crm_hook', url: 'https://hooks.example.com/rapport' };

describe('destinationDefinition', () => {
  it('sends only what was given, as docs/destinations.md names it', () => {
    expect(destinationDefinition(base)).toEqual({
      ok: true,
      definition: { name: 'crm_hook', type: 'webhook', url: 'https://hooks.example.com/rapport', method: 'POST' },
    });
    const full = destinationDefinition({
      ...base,
      method: 'PUT',
      headers: 'Authorization: Bearer crm-token\n\nX-Team: growth',
      template: '{"email": {{profile.traits.email}}}',
      purpose: 'Advertising',
      maxAttempts: '3',
    });
    expect(full).toEqual({
      ok: true,
      definition: {
        name: 'crm_hook', type: 'webhook', url: 'https://hooks.example.com/rapport', method: 'PUT',
        headers: { Authorization: 'Bearer crm-token', 'X-Team': 'growth' },
        template: '{"email": {{profile.traits.email}}}', purpose: 'Advertising', max_attempts: 3,
      },
    });
  });
  it('names every field to fix', () => {
    const r = destinationDefinition({ ...base, name: 'CRM', url: 'ftp://x', purpose: 'a/b', maxAttempts: '0' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.problems).sort()).toEqual(['maxAttempts', 'name', 'purpose', 'url']);
  });
  it('refuses credentials and fragments in the address', () => {
    const creds = destinationDefinition({ ...base, url: 'https://u:p@hooks.example.com/x' });
    expect(!creds.ok && creds.problems.url).toMatch(/header/);
    const frag = destinationDefinition({ ...base, url: 'https://hooks.example.com/x#a' });
    expect(!frag.ok && frag.problems.url).toMatch(/fragment/);
  });
});

describe('parseHeaders', () => {
  it('refuses the headers Rapport sets and malformed lines', () => {
    expect(parseHeaders('Content-Type: text/plain')).toEqual({ ok: false, problem: 'line 1: Content-Type is set by Rapport itself' });
    expect(parseHeaders('X-Rapport-Signature: x').ok).toBe(false);
    expect(parseHeaders('no colon here')).toEqual({ ok: false, problem: 'line 1: write a header as "Name: value"' });
    expect(parseHeaders('A: 1\na: 2').ok).toBe(false);
    expect(parseHeaders('')).toEqual({ ok: true, headers: {} });
  });
});
