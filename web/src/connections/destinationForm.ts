// The "Add a webhook destination" form → the definition POST /api/v1/destinations takes
// (docs/destinations.md): name, url, method, headers ("Name: value" lines), template, purpose,
// max_attempts. Checks what can be checked here, with the field and what to fix; the server
// checks everything again and its 400 names the field.

export interface DestinationFormValues {
  name: string;
  url: string;
  method: 'POST' | 'PUT';
  headers: string; // one "Name: value" a line
  template: string;
  purpose: string;
  maxAttempts: string; // empty: the default (10)
}

export const EMPTY_DESTINATION_FORM: DestinationFormValues = {
  name: '',
  url: '',
  method: 'POST',
  headers: '',
  template: '',
  purpose: '',
  maxAttempts: '',
};

export type FormField = keyof DestinationFormValues;

export type FormResult =
  | { ok: true; definition: Record<string, unknown> }
  | { ok: false; problems: Partial<Record<FormField, string>> };

const RESERVED_HEADERS = new Set(['host', 'content-type', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'idempotency-key']);

/** The header lines as an object, or the first problem. */
export function parseHeaders(lines: string): { ok: true; headers: Record<string, string> } | { ok: false; problem: string } {
  const headers: Record<string, string> = {};
  let n = 0;
  for (const [i, raw] of lines.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return { ok: false, problem: `line ${i + 1}: write a header as "Name: value"` };
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/.test(name)) return { ok: false, problem: `line ${i + 1}: "${name}" is not a header name` };
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower) || lower.startsWith('x-rapport-'))
      return { ok: false, problem: `line ${i + 1}: ${name} is set by Rapport itself` };
    if (!/^[\x20-\x7e]*$/.test(value)) return { ok: false, problem: `line ${i + 1}: the value must be printable ASCII` };
    if (Object.keys(headers).some((k) => k.toLowerCase() === lower)) return { ok: false, problem: `line ${i + 1}: ${name} is given twice` };
    headers[name] = value;
    if (++n > 32) return { ok: false, problem: 'at most 32 headers' };
  }
  return { ok: true, headers };
}

/** The definition to send, or what to fix per field. */
export function destinationDefinition(v: DestinationFormValues): FormResult {
  const problems: Partial<Record<FormField, string>> = {};
  const name = v.name.trim();
  if (!/^[a-z][a-z0-9_]{0,63}$/.test(name))
    problems.name = 'Use 1–64 lower-case letters, digits and _, starting with a letter (e.g. crm_webhook).';
  const url = v.url.trim();
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) problems.url = 'Give the full address, starting with https:// or http://.';
  else if (parsed.username || parsed.password) problems.url = 'Put credentials in a header, not in the address.';
  else if (url.includes('#')) problems.url = 'Leave out the #fragment.';
  else if (url.length > 2048) problems.url = 'At most 2048 characters.';
  const headers = parseHeaders(v.headers);
  if (!headers.ok) problems.headers = headers.problem;
  const purpose = v.purpose.trim();
  if (purpose !== '' && !/^[A-Za-z0-9 _-]{1,64}$/.test(purpose)) problems.purpose = '1–64 letters, digits, spaces, _ or -.';
  let maxAttempts: number | null = null;
  if (v.maxAttempts.trim() !== '') {
    maxAttempts = Number(v.maxAttempts);
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) problems.maxAttempts = 'A whole number from 1 to 100.';
  }
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  const definition: Record<string, unknown> = { name, type: 'webhook', url, method: v.method };
  if (headers.ok && Object.keys(headers.headers).length) definition.headers = headers.headers;
  if (v.template.trim() !== '') definition.template = v.template;
  if (purpose !== '') definition.purpose = purpose;
  if (maxAttempts !== null) definition.max_attempts = maxAttempts;
  return { ok: true, definition };
}
