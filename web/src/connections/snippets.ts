// Copy-paste SDK snippets for one source, with this server's origin filled in: curl, the
// browser's analytics.js (@segment/analytics-next, with its settings given so that it never asks
// Segment's CDN about a key Segment does not know), Node (@segment/analytics-node with `host`),
// Python (segment-analytics-python, formerly analytics-python, with `host`) and RudderStack's
// Node SDK (`dataPlaneUrl`). A write key is shown only when its source is created: otherwise the
// snippets carry a placeholder to replace.

export const KEY_PLACEHOLDER = 'YOUR_WRITE_KEY';

export type SnippetId = 'curl' | 'analytics-js' | 'node' | 'python' | 'rudderstack';

export interface Snippet {
  id: SnippetId;
  label: string; // the SDK, for the picker
  install?: string; // the command that installs it
  code: string;
}

export interface Origin {
  origin: string; // "http://127.0.0.1:8080", no trailing slash
  host: string; // "127.0.0.1:8080"
  protocol: 'http' | 'https';
}

/** The origin the snippets point at, from a URL such as window.location.href; null if not http(s). */
export function parseOrigin(url: string): Origin | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  return { origin: u.origin, host: u.host, protocol: u.protocol === 'https:' ? 'https' : 'http' };
}

/** A JavaScript / Python single-quoted string literal. */
function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A shell word: single quotes unless the text is plainly safe. */
function shellWord(text: string): string {
  return /^[A-Za-z0-9_.:$/@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Every snippet, in picker order; `writeKey` null or empty → the placeholder. */
export function buildSnippets(origin: Origin, writeKey: string | null | undefined): Snippet[] {
  const key = writeKey && writeKey.trim() !== '' ? writeKey.trim() : KEY_PLACEHOLDER;
  const k = quote(key);
  const o = quote(origin.origin);
  return [
    {
      id: 'curl',
      label: 'curl',
      code: [
        `curl -u ${shellWord(`${key}:`)} ${origin.origin}/v1/track \\`,
        `  -H 'Content-Type: application/json' \\`,
        `  -d '{"userId":"u42","event":"Order Completed","properties":{"revenue":59.90,"currency":"EUR"}}'`,
      ].join('\n'),
    },
    {
      id: 'analytics-js',
      label: 'analytics.js (browser)',
      install: 'npm install @segment/analytics-next',
      code: [
        `import { AnalyticsBrowser } from '@segment/analytics-next'`,
        ``,
        `// The settings are given here, so Segment's CDN is never asked about this key.`,
        `export const analytics = AnalyticsBrowser.load(`,
        `  { writeKey: ${k}, cdnSettings: { integrations: { 'Segment.io': { apiKey: ${k} } } } },`,
        `  { integrations: { 'Segment.io': { apiHost: ${quote(`${origin.host}/v1`)}, protocol: ${quote(origin.protocol)} } } },`,
        `)`,
        `analytics.page()`,
        `analytics.track('Order Completed', { revenue: 59.9, currency: 'EUR' })`,
      ].join('\n'),
    },
    {
      id: 'node',
      label: 'Node.js',
      install: 'npm install @segment/analytics-node',
      code: [
        `import { Analytics } from '@segment/analytics-node'`,
        ``,
        `const analytics = new Analytics({ writeKey: ${k}, host: ${o} })`,
        `analytics.identify({ userId: 'u42', traits: { email: 'ada@example.com', plan: 'pro' } })`,
        `analytics.track({ userId: 'u42', event: 'Order Completed', properties: { revenue: 59.9, currency: 'EUR' } })`,
        `await analytics.closeAndFlush()`,
      ].join('\n'),
    },
    {
      id: 'python',
      label: 'Python',
      install: 'pip install segment-analytics-python   # formerly analytics-python',
      code: [
        `import segment.analytics as analytics   # analytics-python 1.x: import analytics`,
        ``,
        `analytics.write_key = ${k}`,
        `analytics.host = ${o}`,
        `analytics.identify('u42', {'email': 'ada@example.com', 'plan': 'pro'})`,
        `analytics.track('u42', 'Order Completed', {'revenue': 59.9, 'currency': 'EUR'})`,
        `analytics.flush()`,
      ].join('\n'),
    },
    {
      id: 'rudderstack',
      label: 'RudderStack (Node.js)',
      install: 'npm install @rudderstack/rudder-sdk-node',
      code: [
        `const Analytics = require('@rudderstack/rudder-sdk-node')`,
        ``,
        `const client = new Analytics(${k}, { dataPlaneUrl: ${o} })`,
        `client.track({ userId: 'u42', event: 'Order Completed', properties: { revenue: 59.9, currency: 'EUR' } })`,
        `await client.flush()`,
      ].join('\n'),
    },
  ];
}

/** Whether a snippet still needs the key put in. */
export function needsKey(snippet: Snippet): boolean {
  return snippet.code.includes(KEY_PLACEHOLDER);
}
