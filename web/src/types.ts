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
}

export interface Audience {
  id: number;
  name: string;
  description?: string;
  definition: string;
  status: string;
  progress?: number;
  size: number;
  createdAt: string;
  destinations?: string[];
}

export interface QueryAnswer<T = unknown> {
  kind: string;
  took_ms: number;
  result: T;
}
