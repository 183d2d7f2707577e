// The shapes of the /api/v1 answers the console reads, as docs/api.md documents them. Fields the
// console does not use are left out; everything read from the network is still checked where
// it is shown (format.ts turns missing values into a dash).

export interface WhoAmI {
  role: string;
  tokenId: string;
}

/** A stored event: the JSON the client sent plus what Rapport added. */
export interface StoredEvent {
  type?: string;
  event?: string;
  name?: string;
  messageId?: string;
  userId?: string | number;
  anonymousId?: string | number;
  timestamp?: string;
  receivedAt?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  context?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface EventsPage {
  events: StoredEvent[];
  next: string | null;
}

export interface Source {
  id: string;
  name: string;
  createdAt: string;
}

export interface Identity {
  type: string;
  value: string;
  firstSeen: string;
  source: string;
}

export interface MergeEntry {
  kind: 'merge' | 'blocked';
  from?: string;
  conflict?: string;
  identifiers: Array<{ type: string; value: string }>;
  messageId: string;
  source: string;
  timestamp: string;
}

export interface Profile {
  id: string;
  firstSeen: string;
  lastSeen: string;
  eventCount: number;
  identities: Identity[];
  traits: Record<string, unknown>;
  traitSources: Record<string, { source: string; timestamp: string }>;
  computed: Record<string, unknown>;
  audiences: Array<{ name: string; since: string }>;
  accounts: string[];
  mergedIds: string[];
  merges: MergeEntry[];
  blockedNotShown: number;
  journeys?: unknown; // read with profiles/journeys.ts (absent on older servers)
}

export interface Audience {
  id: number;
  name: string;
  description?: string;
  definition: string;
  tree?: unknown; // the JSON form (docs/audiences.md)
  status: string;
  progress?: number;
  size: number;
  createdAt: string;
  destinations?: string[];
}

/** POST /api/v1/audiences/preview: the size now, before saving. */
export interface AudiencePreview {
  size: number;
  evaluated: number;
  estimate: boolean;
  examples: string[]; // profile ids
  definition: string; // the canonical text
}

/** GET /api/v1/audiences/{name}/members: profile ids, by id. */
export interface AudienceMembers {
  members: Array<{ id: string; since: string }>;
  next: string | null;
}

export interface QueryAnswer<T = unknown> {
  kind: string;
  took_ms: number;
  result: T;
}

// ---- Insights (docs/kpis.md): the `result` of POST /api/v1/insights/{clv,rfm,attribution,roi}.

export interface ClvTopCustomer {
  profile: string;
  clv: number | null;
  p_alive: number;
  expected_purchases: number;
  expected_spend: number | null;
  repeat_purchases: number;
  average_spend: number;
}

export interface ClvResult {
  customers: number;
  repeat_buyers: number;
  purchases: number;
  purchases_without_revenue: number;
  calibration_end: string;
  unit: string;
  bgnbd: { r: number; alpha: number; a: number; b: number; log_likelihood: number };
  gamma_gamma: { p: number; q: number; gamma: number; log_likelihood: number; customers: number } | null;
  spend_model_error?: string;
  holdout: {
    units: number;
    actual: number;
    predicted: number;
    by_repeat_purchases: Array<{ x: number; customers: number; actual: number; predicted: number }>;
  } | null;
  p_alive: { mean: number; below_half: number };
  clv: {
    horizon_months: number;
    monthly_discount: number;
    total: number;
    mean: number;
    p50: number;
    p90: number;
    p99: number;
  } | null;
  top: ClvTopCustomer[];
}

export interface RfmSegment {
  segment: string;
  customers: number;
  share: number;
  recency_days: number;
  frequency: number;
  monetary: number;
}

export interface RfmResult {
  customers: number;
  as_of: string;
  segments: RfmSegment[];
  grid: number[][]; // rows r = 5 down to 1, columns f = 1 to 5
}

export interface AttributionChannel {
  channel: string;
  conversions: Record<string, number>; // per model
  value: Record<string, number>; // per model
}

export interface AttributionResult {
  conversions: number;
  value: number;
  no_touch_conversions: number;
  journeys: number;
  models: string[];
  channels: AttributionChannel[];
}

export interface RoiLine {
  channel: string;
  campaign?: string; // on campaign lines
  spend: number;
  conversions: number;
  revenue: number;
  new_customers: number;
  ltv: number;
  cac: number | null;
  roas: number | null;
  ltv_cac: number | null;
  payback_months: number | null;
  marginal_roas: number | null;
  elasticity: number | null;
  basis: 'response curve' | 'average' | null;
  response_days: number;
}

export interface RoiRanked {
  channel: string;
  campaign?: string;
  marginal_roas: number | null;
  basis: 'response curve' | 'average';
}

export interface RoiResult {
  model: string;
  margin: number;
  ltv_basis: string;
  spend_rows: number;
  note?: string;
  total: RoiLine;
  channels: RoiLine[];
  campaigns: RoiLine[];
  next_budget: { channels: RoiRanked[]; campaigns: RoiRanked[] };
}

/** A destination's delivery health (docs/destinations.md, "Health"). */
export interface DestinationHealth {
  state: 'up' | 'down' | 'paused' | string;
  queued: number;
  inFlight: number;
  delivered: number;
  failedAttempts: number;
  deadLetters: number;
  deadLettered: number;
  oldestQueuedAt: string | null;
  latencyMs?: { p50: number; p90: number; p99: number; samples: number };
  consecutiveFailures: number;
  lastError: string | null;
  lastErrorAt: string | null;
  lastSuccessAt: string | null;
  downSince: string | null;
}

/** A destination's definition as read back (header values masked; `secret` only in the create answer). */
export interface DestinationDefinition {
  name: string;
  type: string;
  url: string;
  method?: string;
  headers?: Record<string, string>;
  template?: string;
  purpose?: string;
  max_attempts?: number;
  secret?: string;
  [key: string]: unknown;
}

export interface Destination {
  definition: DestinationDefinition;
  health: DestinationHealth;
}

/** A message given up on (GET /api/v1/destinations/{name}/dead-letters). */
export interface DeadLetter {
  id: number;
  idempotencyKey: string;
  profileKey: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deadAt: string;
  body: string;
}

/** A journey with its counts (GET /api/v1/journeys/{name}, docs/journeys.md). */
export interface Journey {
  id: number;
  name: string;
  createdAt: string;
  definition: {
    name: string;
    description?: string;
    trigger: { event?: string; where?: unknown[]; audience?: string };
    reentry?: string;
    reentry_days?: number;
    frequency_cap?: { max_sends: number; per_days: number };
    quiet_hours?: { start: string; end: string };
    timezone?: string;
    steps: Array<{ name: string; type: string; [key: string]: unknown }>;
    [key: string]: unknown;
  };
  status: string;
  entered: number;
  exited: number;
  active: number;
  dropped: number;
  steps: import('./journeys/flow').StepCounts[];
  problems: string[];
}

// ---- Dashboards (GET|POST /api/v1/dashboards, GET|PUT|DELETE /api/v1/dashboards/{id})

/** One tile: a title, the body of a POST /api/v1/query, and the console's settings (its period). */
export interface DashboardTile {
  title: string; // 1 to 200 characters
  query: Record<string, unknown>; // at most 16 KB as JSON
  view?: Record<string, unknown>; // at most 4 KB as JSON
}

export interface Dashboard {
  id: string;
  name: string; // 1 to 100 characters, unique
  tiles: DashboardTile[]; // at most 24
  createdAt: string;
  updatedAt: string;
}

// ---- Imports (POST /api/v1/imports, PUT …/{id}/data, GET …/{id}, GET /api/v1/imports)

export type ImportState = 'waiting_for_data' | 'running' | 'done' | 'failed';

export interface ImportJob {
  id: string;
  source: string; // the source's name
  fileName: string;
  createdAt: string;
  state: ImportState | string;
  bytesRead: number;
  bytesTotal: number | null;
  rowsRead: number;
  rowsImported: number;
  rowsRejected: number;
  rowsPerSecond: number;
  etaSeconds: number | null;
  waiting: string; // why it waits to retry ("" when it does not)
  error: string | null;
}

// ---- Rejected ingest requests, profile counts, audience history (the Overview, Live events and
// one audience's membership chart).

/** One refused ingest request (GET /api/v1/events/rejected), kept in the server's memory. */
export interface Rejection {
  at: string;
  source: string | null; // null when the write key was missing or unknown
  endpoint: string; // "/v1/track", …
  status: number;
  error: string; // "invalid_argument", …
  message: string; // what is wrong, naming the field or limit
  body: string; // the first 2 KB of the request as sent
  truncated: boolean;
}

/** GET /api/v1/events/rejected?limit=N: newest first; `total` counts every one since the server started. */
export interface RejectedPage {
  rejected: Rejection[];
  total: number;
}

/** GET /api/v1/profiles/stats: identified = profiles holding a user_id or an email; `estimate` when sampled. */
export interface ProfileStats {
  profiles: number;
  identified: number;
  estimate?: boolean;
  computedAt: string;
}

/** GET /api/v1/audiences/{name}/history?days=N: one entry per UTC day, oldest first. */
export interface AudienceHistory {
  audience: string;
  days: Array<{ day: string; entered: number; exited: number; size: number }>;
}
