// Tests of router.ts: hashes to routes and back, and the one-click sign-in fragment.
import { describe, expect, it } from 'vitest';
import { href, parseHash, parseTokenFragment, type Route } from './router';

describe('parseHash', () => {
  it.each<[string, Route]>([
    ['', { page: 'overview' }],
    ['#', { page: 'overview' }],
    ['#/', { page: 'overview' }],
    ['#/overview', { page: 'overview' }],
    ['#overview', { page: 'overview' }],
    ['#/profiles', { page: 'profiles' }],
    ['#/profiles/p42', { page: 'profiles', profileId: 'p42' }],
    ['#/profiles/', { page: 'profiles' }],
    ['#/profiles?identifier=email%3Aada%40example.com', { page: 'profiles', identifier: 'email:ada@example.com' }],
    ['#/profiles?identifier=phone:%2B33%206%2012', { page: 'profiles', identifier: 'phone:+33 6 12' }],
    ['#/profiles?identifier=user_id:a+b', { page: 'profiles', identifier: 'user_id:a b' }],
    ['#/profiles/p7?identifier=user_id%3Au1', { page: 'profiles', profileId: 'p7', identifier: 'user_id:u1' }],
    ['#/events', { page: 'events' }],
    ['#/events/rejected', { page: 'events', view: 'rejected' }],
    ['#/events/rejected/1', { page: 'notfound', path: '/events/rejected/1' }],
    ['#/journeys', { page: 'journeys' }],
    ['#/journeys/win_back', { page: 'journeys', name: 'win_back' }],
    ['#/journeys/a/b', { page: 'notfound', path: '/journeys/a/b' }],
    ['#/insights', { page: 'insights' }],
    ['#/insights/', { page: 'insights' }],
    ['#/insights/clv', { page: 'insights', section: 'clv' }],
    ['#/insights/roi', { page: 'insights', section: 'roi' }],
    ['#/insights/attribution?x=1', { page: 'insights', section: 'attribution' }],
    ['#/insights/nps', { page: 'notfound', path: '/insights/nps' }],
    ['#/insights/rfm/x', { page: 'notfound', path: '/insights/rfm/x' }],
    ['#/analytics', { page: 'analytics' }],
    ['#/analytics/funnel', { page: 'analytics', tab: 'funnel' }],
    ['#/analytics/retention', { page: 'analytics', tab: 'retention' }],
    ['#/analytics/paths', { page: 'analytics', tab: 'paths' }],
    ['#/analytics/sankey', { page: 'notfound', path: '/analytics/sankey' }],
    ['#/dashboards', { page: 'dashboards' }],
    ['#/dashboards/d_1', { page: 'dashboards', id: 'd_1' }],
    ['#/dashboards/d_1/tiles', { page: 'notfound', path: '/dashboards/d_1/tiles' }],
    ['#/audiences', { page: 'audiences' }],
    ['#/audiences/big_buyers', { page: 'audiences', name: 'big_buyers' }],
    ['#/audiences/a/b', { page: 'notfound', path: '/audiences/a/b' }],
    ['#/connections', { page: 'connections' }],
    ['#/connections/sources', { page: 'connections', tab: 'sources' }],
    ['#/connections/destinations', { page: 'connections', tab: 'destinations' }],
    ['#/connections/webhooks', { page: 'notfound', path: '/connections/webhooks' }],
    ['#/connections/destinations/crm', { page: 'notfound', path: '/connections/destinations/crm' }],
    ['#/glossary', { page: 'glossary' }],
    ['#/glossary/clv', { page: 'glossary', entry: 'clv' }],
    ['#/signin', { page: 'signin' }],
    ['#/nope', { page: 'notfound', path: '/nope' }],
    ['#/events/1', { page: 'notfound', path: '/events/1' }],
    ['#/profiles/p1/events/x', { page: 'notfound', path: '/profiles/p1/events/x' }],
    ['#/profiles/%E0%A4%A', { page: 'profiles', profileId: '%E0%A4%A' }],
  ])('%s', (hash, route) => {
    expect(parseHash(hash)).toEqual(route);
  });
});

describe('href', () => {
  const routes: Route[] = [
    { page: 'overview' },
    { page: 'events' },
    { page: 'events', view: 'rejected' },
    { page: 'signin' },
    { page: 'profiles' },
    { page: 'profiles', profileId: 'p42' },
    { page: 'profiles', identifier: 'email:a+b&c@x.io' },
    { page: 'profiles', profileId: 'p1', identifier: 'phone:+33 6' },
    { page: 'glossary' },
    { page: 'glossary', entry: 'p-alive' },
    { page: 'insights' },
    { page: 'analytics' },
    { page: 'analytics', tab: 'trends' },
    { page: 'analytics', tab: 'retention' },
    { page: 'analytics', tab: 'paths' },
    { page: 'dashboards' },
    { page: 'dashboards', id: 'd_1 ü/x' },
    { page: 'audiences' },
    { page: 'audiences', name: 'vip' },
    { page: 'connections' },
    { page: 'connections', tab: 'sources' },
    { page: 'connections', tab: 'destinations' },
    { page: 'insights', section: 'clv' },
    { page: 'insights', section: 'rfm' },
    { page: 'insights', section: 'attribution' },
    { page: 'insights', section: 'roi' },
  ];
  it.each(routes)('round-trips %j', (route) => {
    expect(parseHash(href(route))).toEqual(route);
  });
  it('encodes what the hash cannot hold', () => {
    expect(href({ page: 'profiles', identifier: 'email:a&b@x.io' })).toBe('#/profiles?identifier=email%3Aa%26b%40x.io');
  });
});

describe('parseTokenFragment', () => {
  it('reads the token of a sign-in link', () => {
    expect(parseTokenFragment('#token=rpt_abc123')).toEqual({ token: 'rpt_abc123', next: '#/overview' });
    expect(parseTokenFragment('token=rpt_x&next=/profiles/p1')).toEqual({ token: 'rpt_x', next: '#/profiles/p1' });
  });
  it('ignores other fragments and empty tokens', () => {
    expect(parseTokenFragment('#/overview')).toBeNull();
    expect(parseTokenFragment('#token=')).toBeNull();
    expect(parseTokenFragment('#token=a%20b')).toBeNull();
    expect(parseTokenFragment('#/profiles?token=rpt_x')).toBeNull();
  });
  it('never sends the user outside the console', () => {
    expect(parseTokenFragment('#token=t&next=https://evil.example')?.next).toBe('#/overview');
    expect(parseTokenFragment('#token=t&next=//evil.example')?.next).toBe('#/overview');
  });
});
