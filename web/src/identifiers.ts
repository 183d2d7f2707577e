// Identifier look-ups for the Profiles page: the identifier types a person can search by and
// the query that GET /api/v1/profiles?identifier=TYPE:VALUE expects, percent-encoded so that
// "+33 6…", "a&b" or "ada@example.com" reach the server unchanged.

export interface IdentifierType {
  type: string;
  label: string;
  example: string;
}

/** The built-in identifier types (docs/identity.md), strongest first. */
export const IDENTIFIER_TYPES: readonly IdentifierType[] = [
  { type: 'user_id', label: 'User id', example: 'u42' },
  { type: 'email', label: 'Email', example: 'ada@example.com' },
  { type: 'phone', label: 'Phone', example: '+33 6 12 34 56 78' },
  { type: 'anonymous_id', label: 'Anonymous id', example: '6f1c…' },
];

/** A type name as the API takes them: 1–64 of a-z, 0-9, _ (built-in or custom). */
export function isIdentifierType(type: string): boolean {
  return /^[a-z0-9_]{1,64}$/.test(type);
}

/** "email", " Ada@X.io " → "email:Ada@X.io" (the server normalises the value), or null if blank. */
export function identifierText(type: string, value: string): string | null {
  const v = value.trim();
  if (!isIdentifierType(type) || v === '') return null;
  return `${type}:${v}`;
}

/** The API path that finds the profile holding `type:value`, or null for a blank value. */
export function profileLookupPath(type: string, value: string): string | null {
  const text = identifierText(type, value);
  return text === null ? null : `/api/v1/profiles?identifier=${encodeURIComponent(text)}`;
}

/** "email:ada@x.io" → {type:"email", value:"ada@x.io"} (split at the first colon), or null. */
export function splitIdentifier(text: string): { type: string; value: string } | null {
  const colon = text.indexOf(':');
  if (colon <= 0) return null;
  const type = text.slice(0, colon);
  const value = text.slice(colon + 1);
  if (!isIdentifierType(type) || value.trim() === '') return null;
  return { type, value };
}

/** A profile id as the API writes them ("p42"), for links; anything else is not linked. */
export function isProfileId(text: string): boolean {
  return /^p[0-9]+$/.test(text);
}
