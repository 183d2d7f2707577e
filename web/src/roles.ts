// Roles and what each may do, from the route table of docs/api.md. The console offers an
// action only when the signed-in role may take it ("what a role may not do is not offered");
// the server checks again on every request.

export type Role = 'admin' | 'marketer' | 'analyst';

export type Action =
  | 'events.read' // GET /api/v1/events, /events/stream
  | 'profiles.read' // GET /api/v1/profiles…
  | 'query' // POST /api/v1/query, /insights/{kind}
  | 'audiences.read' // GET /api/v1/audiences…
  | 'journeys.read' // GET /api/v1/journeys…
  | 'dashboards.read' // GET /api/v1/dashboards…
  | 'dashboards.write' // POST, PUT, DELETE /api/v1/dashboards… (every role: saved questions change no data)
  | 'sources.read' // GET /api/v1/sources
  | 'events.send' // POST /api/v1/sources/{source}/batch
  | 'audiences.write' // POST/DELETE /api/v1/audiences…
  | 'journeys.write' // POST/DELETE /api/v1/journeys…
  | 'computedTraits.write' // POST/DELETE /api/v1/computed-traits
  | 'insights.apply' // POST /api/v1/insights/{kind}/apply
  | 'spend.write' // POST/DELETE /api/v1/spend
  | 'imports' // /api/v1/imports…
  | 'destinations.read' // GET /api/v1/destinations, /destinations/{name}
  | 'destinations.test' // POST /api/v1/destinations/{name}/test
  | 'deadLetters.manage' // GET, POST …/dead-letters/replay, DELETE …/dead-letters/{id}
  | 'sources.create' // POST /api/v1/sources
  | 'destinations.create' // POST, DELETE /api/v1/destinations
  | 'tokens.manage'; // GET/POST /api/v1/tokens

const READ: Action[] = [
  'events.read',
  'profiles.read',
  'query',
  'audiences.read',
  'journeys.read',
  'sources.read',
  'destinations.read',
  'dashboards.read',
  'dashboards.write',
];
const WRITE: Action[] = [
  'events.send',
  'audiences.write',
  'journeys.write',
  'computedTraits.write',
  'insights.apply',
  'spend.write',
  'imports',
  'destinations.test',
  'deadLetters.manage', // dead letters hold personal data: not for analysts (the server refuses them)
];
const ADMIN: Action[] = ['sources.create', 'destinations.create', 'tokens.manage'];

export const ROLE_ACTIONS: Readonly<Record<Role, ReadonlySet<Action>>> = {
  admin: new Set([...READ, ...WRITE, ...ADMIN]),
  marketer: new Set([...READ, ...WRITE]),
  analyst: new Set(READ),
};

export const ROLE_SUMMARY: Readonly<Record<Role, string>> = {
  admin: 'everything, including sources, destinations and API tokens',
  marketer: 'reads everything, builds audiences, journeys, computed traits and imports, tests destinations and replays dead letters; no new sources, destinations or tokens',
  analyst: 'reads and queries everything and saves dashboards; changes no data',
};

/** The role as the API names it, or null for anything else. */
export function parseRole(value: unknown): Role | null {
  return value === 'admin' || value === 'marketer' || value === 'analyst' ? value : null;
}

/** Whether `role` may take `action`; an unknown role may do nothing. */
export function can(role: Role | null | undefined, action: Action): boolean {
  if (!role) return false;
  return ROLE_ACTIONS[role]?.has(action) ?? false;
}

/** The roles that may take `action`, for "ask for a token with the role …" hints. */
export function rolesFor(action: Action): Role[] {
  return (Object.keys(ROLE_ACTIONS) as Role[]).filter((r) => ROLE_ACTIONS[r].has(action));
}
