// Tests of snippets.ts: every SDK snippet points at this server and carries the key or the placeholder.
import { describe, expect, it } from 'vitest';
import { buildSnippets, KEY_PLACEHOLDER, needsKey, parseOrigin } from './snippets';

const local = parseOrigin('http://127.0.0.1:18093/#/connections/sources')!;

describe('parseOrigin', () => {
  it('keeps the scheme, host and port', () => {
    expect(local).toEqual({ origin: 'http://127.0.0.1:18093', host: '127.0.0.1:18093', protocol: 'http' });
    expect(parseOrigin('https://cdp.example.com/x')).toEqual({ origin: 'https://cdp.example.com', host: 'cdp.example.com', protocol: 'https' });
  });
  it('refuses what is not http(s)', () => {
    expect(parseOrigin('file:///tmp/index.html')).toBeNull();
    expect(parseOrigin('not a url')).toBeNull();
  });
});

describe('buildSnippets', () => {
  const byId = (key: string | null, o = local) => Object.fromEntries(buildSnippets(o, key).map((s) => [s.id, s]));

  it('offers curl, analytics.js, Node, Python and RudderStack, in that order', () => {
    expect(buildSnippets(local, null).map((s) => s.id)).toEqual(['curl', 'analytics-js', 'node', 'python', 'rudderstack']);
  });
  it('uses the placeholder when the key is not known', () => {
    for (const s of buildSnippets(local, null)) {
      expect(s.code, s.id).toContain(KEY_PLACEHOLDER);
      expect(needsKey(s)).toBe(true);
    }
    for (const s of buildSnippets(local, '  ')) expect(s.code).toContain(KEY_PLACEHOLDER);
  });
  it('puts a known key in every snippet', () => {
    for (const s of buildSnippets(local, 'wk_abc')) {
      expect(s.code, s.id).toContain('wk_abc');
      expect(needsKey(s)).toBe(false);
    }
  });
  it('points every SDK at this server, the way each one is configured', () => {
    const s = byId('wk_abc');
    expect(s.curl.code).toContain('curl -u wk_abc: http://127.0.0.1:18093/v1/track');
    expect(s['analytics-js'].code).toContain("apiHost: '127.0.0.1:18093/v1', protocol: 'http'");
    expect(s['analytics-js'].code).toContain("writeKey: 'wk_abc'");
    expect(s.node.code).toContain("new Analytics({ writeKey: 'wk_abc', host: 'http://127.0.0.1:18093' })");
    expect(s.python.code).toContain("analytics.host = 'http://127.0.0.1:18093'");
    expect(s.python.code).toContain("analytics.write_key = 'wk_abc'");
    expect(s.rudderstack.code).toContain("dataPlaneUrl: 'http://127.0.0.1:18093'");
  });
  it('says https for an https console', () => {
    const s = byId(null, parseOrigin('https://cdp.example.com')!);
    expect(s['analytics-js'].code).toContain("apiHost: 'cdp.example.com/v1', protocol: 'https'");
    expect(s.curl.code).toContain('https://cdp.example.com/v1/track');
  });
  it('quotes a key that would break the code', () => {
    const s = byId("k'ey\\");
    expect(s.node.code).toContain("writeKey: 'k\\'ey\\\\'");
    expect(s.curl.code).toContain(`curl -u 'k'\\''ey\\:' `);
  });
});
