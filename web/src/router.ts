// The console's hash router, as pure functions: the address bar's fragment (`#/overview`,
// `#/profiles/p42`, `#/profiles?identifier=email%3Aada%40x.io`, `#/events/rejected`, `#/insights/roi`, `#/analytics/funnel`, `#/dashboards/d_1`, `#/audiences/vip`, `#/journeys/win_back`, `#/connections/destinations`, `#/glossary/clv`) to a Route and
// back, and the one-click sign-in fragment `#token=rpt_...`. No history library: App listens to
// `hashchange` and renders the Route that parseHash returns.

/** The Insights page's sections, in their tab order (`#/insights/<section>`; the first by default). */
export const INSIGHT_SECTIONS = ['clv', 'rfm', 'attribution', 'roi'] as const;
export type InsightSection = (typeof INSIGHT_SECTIONS)[number];

function isInsightSection(s: string): s is InsightSection {
  return (INSIGHT_SECTIONS as readonly string[]).includes(s);
}

/** The Analytics page's tabs, in their order (`#/analytics/<tab>`; the first by default). */
export const ANALYTICS_TABS = ['trends', 'funnel', 'retention', 'paths'] as const;
export type AnalyticsTab = (typeof ANALYTICS_TABS)[number];

function isAnalyticsTab(s: string): s is AnalyticsTab {
  return (ANALYTICS_TABS as readonly string[]).includes(s);
}

/** The Sources & destinations page's tabs (`#/connections/<tab>`; the first by default). */
export const CONNECTIONS_TABS = ['sources', 'destinations'] as const;
export type ConnectionsTab = (typeof CONNECTIONS_TABS)[number];

function isConnectionsTab(s: string): s is ConnectionsTab {
  return (CONNECTIONS_TABS as readonly string[]).includes(s);
}

export type Route =
  | { page: 'overview' }
  | { page: 'profiles'; profileId?: string; identifier?: string }
  | { page: 'insights'; section?: InsightSection }
  | { page: 'analytics'; tab?: AnalyticsTab }
  | { page: 'dashboards'; id?: string }
  | { page: 'audiences'; name?: string }
  | { page: 'journeys'; name?: string }
  | { page: 'events'; view?: 'rejected' } // `#/events`: stored events; `#/events/rejected`: refused requests
  | { page: 'connections'; tab?: ConnectionsTab }
  | { page: 'glossary'; entry?: string }
  | { page: 'signin' }
  | { page: 'notfound'; path: string };

export type PageName = Route['page'];

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part; // a stray "%": keep the text as typed
  }
}

function queryParams(query: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1).replace(/\+/g, ' '));
    if (!params.has(key)) params.set(key, value);
  }
  return params;
}

/** The Route for a location hash (with or without its leading "#"). */
export function parseHash(hash: string): Route {
  let h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (h.startsWith('/')) h = h.slice(1);
  const q = h.indexOf('?');
  const path = q < 0 ? h : h.slice(0, q);
  const params = queryParams(q < 0 ? '' : h.slice(q + 1));
  const parts = path.split('/').filter((p) => p !== '').map(decode);
  const [first, second, ...rest] = parts;
  if (rest.length > 0) return { page: 'notfound', path: '/' + parts.join('/') };
  switch (first ?? 'overview') {
    case 'overview':
      return second === undefined ? { page: 'overview' } : { page: 'notfound', path: '/' + parts.join('/') };
    case 'profiles': {
      const route: Route = { page: 'profiles' };
      if (second !== undefined) route.profileId = second;
      const identifier = params.get('identifier');
      if (identifier) route.identifier = identifier;
      return route;
    }
    case 'events':
      if (second === undefined) return { page: 'events' };
      return second === 'rejected' ? { page: 'events', view: 'rejected' } : { page: 'notfound', path: '/' + parts.join('/') };
    case 'insights':
      if (second === undefined) return { page: 'insights' };
      return isInsightSection(second) ? { page: 'insights', section: second } : { page: 'notfound', path: '/' + parts.join('/') };
    case 'analytics':
      if (second === undefined) return { page: 'analytics' };
      return isAnalyticsTab(second) ? { page: 'analytics', tab: second } : { page: 'notfound', path: '/' + parts.join('/') };
    case 'dashboards':
      return second === undefined ? { page: 'dashboards' } : { page: 'dashboards', id: second };
    case 'audiences':
      return second === undefined ? { page: 'audiences' } : { page: 'audiences', name: second };
    case 'journeys':
      return second === undefined ? { page: 'journeys' } : { page: 'journeys', name: second };
    case 'connections':
      if (second === undefined) return { page: 'connections' };
      return isConnectionsTab(second) ? { page: 'connections', tab: second } : { page: 'notfound', path: '/' + parts.join('/') };
    case 'glossary':
      return second === undefined ? { page: 'glossary' } : { page: 'glossary', entry: second };
    case 'signin':
      return { page: 'signin' };
    default:
      return { page: 'notfound', path: '/' + parts.join('/') };
  }
}

/** The hash (with "#") that parseHash reads back as `route`. */
export function href(route: Route): string {
  switch (route.page) {
    case 'overview':
    case 'signin':
      return `#/${route.page}`;
    case 'events':
      return route.view ? `#/events/${route.view}` : '#/events';
    case 'profiles': {
      let h = '#/profiles';
      if (route.profileId) h += '/' + encodeURIComponent(route.profileId);
      if (route.identifier) h += '?identifier=' + encodeURIComponent(route.identifier);
      return h;
    }
    case 'insights':
      return route.section ? `#/insights/${route.section}` : '#/insights';
    case 'analytics':
      return route.tab ? `#/analytics/${route.tab}` : '#/analytics';
    case 'dashboards':
      return route.id ? `#/dashboards/${encodeURIComponent(route.id)}` : '#/dashboards';
    case 'audiences':
      return route.name ? `#/audiences/${encodeURIComponent(route.name)}` : '#/audiences';
    case 'journeys':
      return route.name ? `#/journeys/${encodeURIComponent(route.name)}` : '#/journeys';
    case 'connections':
      return route.tab ? `#/connections/${route.tab}` : '#/connections';
    case 'glossary':
      return route.entry ? `#/glossary/${encodeURIComponent(route.entry)}` : '#/glossary';
    case 'notfound':
      return '#' + route.path;
  }
}

/**
 * The token of a sign-in link's fragment, `#token=rpt_...` (optionally `&next=/profiles/p1`),
 * or null when the fragment is not one. `next` is the hash to go to after signing in.
 */
export function parseTokenFragment(hash: string): { token: string; next: string } | null {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!h.startsWith('token=')) return null;
  const params = queryParams(h);
  const token = (params.get('token') ?? '').trim();
  if (token === '' || /\s/.test(token)) return null;
  const next = params.get('next') ?? '';
  // Only an in-app route: never a URL that leaves the console.
  const safeNext = next.startsWith('/') && !next.startsWith('//') ? '#' + next : '#/overview';
  return { token, next: safeNext };
}
