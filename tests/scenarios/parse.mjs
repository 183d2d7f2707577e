// Scenario files, parsed: plain-text steps (sqllogictest style) into the step list that
// runner.mjs runs. The format is documented in docs/scenarios.md; every mistake in a file is a
// ScenarioError naming FILE:LINE and what was expected.

import { parseQuery } from './query.mjs';

export const BARRIER_SOURCE = 'scenario-barrier';
export const BARRIER_EVENT = 'Pipeline Barrier'; // what profilesCaughtUp sends
export const DEFAULT_SOURCE = 'web';

export class ScenarioError extends Error {
  constructor(where, message) {
    super(`${where}: ${message}`);
    this.name = 'ScenarioError';
  }
}

const IDENT_RE = /\s*([a-z0-9_]+):("(?:[^"\\]|\\.)*"|[^\s"]\S*)/y;

/** Parses `TYPE:VALUE TYPE:"quoted value" …`; throws on anything else. */
function parseIdentifiers(text, where) {
  const out = [];
  IDENT_RE.lastIndex = 0;
  let rest = text.trim();
  let pos = 0;
  while (pos < rest.length) {
    IDENT_RE.lastIndex = pos;
    const m = IDENT_RE.exec(rest);
    if (!m) throw new ScenarioError(where, `expected TYPE:VALUE at "${rest.slice(pos)}"`);
    let value = m[2];
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value);
      } catch (e) {
        throw new ScenarioError(where, `bad quoted value ${m[2]}: ${e.message}`);
      }
    }
    out.push({ type: m[1], value });
    pos = IDENT_RE.lastIndex;
    while (pos < rest.length && /\s/.test(rest[pos])) pos++;
  }
  return out;
}

function parseIdentifier(text, where) {
  const ids = parseIdentifiers(text, where);
  if (ids.length !== 1) throw new ScenarioError(where, `expected one TYPE:VALUE, got "${text}"`);
  return ids[0];
}

function parseJson(text, where, what) {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(where, `${what} is not JSON (${e.message}): ${text}`);
  }
}

export function showIdent(id) {
  return /^[^\s"]+$/.test(id.value) ? `${id.type}:${id.value}` : `${id.type}:${JSON.stringify(id.value)}`;
}

// A target: TYPE:VALUE, or @NAME (a profile id remembered with `id as @NAME`).
function parseTarget(text, where) {
  const t = text.trim();
  if (/^@[A-Za-z0-9_-]+$/.test(t)) return { ref: t.slice(1) };
  return { ident: parseIdentifier(t, where) };
}

export function showTarget(t) {
  return t.ref !== undefined ? `@${t.ref}` : showIdent(t.ident);
}

const TARGET_RE = /\s*(@[A-Za-z0-9_-]+|[a-z0-9_]+:(?:"(?:[^"\\]|\\.)*"|[^\s"]\S*))/y;

/** Parses `TARGET TARGET …` (nothing: none). */
function parseTargets(text, where) {
  const out = [];
  const rest = text.trimEnd();
  TARGET_RE.lastIndex = 0;
  while (TARGET_RE.lastIndex < rest.length) {
    const from = TARGET_RE.lastIndex;
    const m = TARGET_RE.exec(rest);
    if (!m) throw new ScenarioError(where, `expected TYPE:VALUE or @NAME at "${rest.slice(from).trim()}"`);
    out.push(parseTarget(m[1], where));
  }
  return out;
}

const ISO_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d{1,6})?)?Z$/;

/** An exact instant `2024-01-08T00:00:00Z`, normalised to the server's `…:00.000Z`. */
function parseIso(text, where) {
  if (!ISO_RE.test(text) || Number.isNaN(Date.parse(text))) {
    throw new ScenarioError(where, `expected a UTC time like 2024-01-08T00:00:00Z, got "${text}"`);
  }
  return new Date(text).toISOString();
}

/** The same instant written by the server, or the text itself if it is no time. */
export function normIso(text) {
  const t = typeof text === 'string' ? Date.parse(text) : NaN;
  return Number.isNaN(t) ? String(text) : new Date(t).toISOString();
}

/** One assertion line under `expect profile` / `expect account`. */
function parseCheck(text, where, scope) {
  let m;
  if (scope === 'profile') {
    if ((m = /^id\s+(same-as|differs-from)\s+(.+)$/.exec(text))) {
      return { kind: m[1], target: parseTarget(m[2], where) };
    }
    if ((m = /^id\s+as\s+@([A-Za-z0-9_-]+)$/.exec(text))) return { kind: 'id-as', name: m[1] };
    if ((m = /^id\s+(=|!=)\s+@([A-Za-z0-9_-]+)$/.exec(text))) return { kind: m[1] === '=' ? 'id-eq' : 'id-ne', name: m[2] };
    if ((m = /^identities(?:\s+(.*))?$/.exec(text))) return { kind: 'identities', ids: parseIdentifiers(m[1] ?? '', where) };
    if ((m = /^computed\s+([^\s=]+)\s*=\s*(.+)$/.exec(text))) {
      return { kind: 'computed', name: m[1], value: parseJson(m[2], where, 'the expected value') };
    }
    if ((m = /^merges\s+(\d+)$/.exec(text))) return { kind: 'merges', n: Number(m[1]) };
    if ((m = /^merged-ids((?:\s+@[A-Za-z0-9_-]+)*)$/.exec(text))) {
      return { kind: 'merged-ids', names: m[1].trim() ? m[1].trim().split(/\s+/).map((x) => x.slice(1)) : [] };
    }
    if ((m = /^blocked\s+(\d+)$/.exec(text))) return { kind: 'blocked-count', n: Number(m[1]) };
    if ((m = /^blocked\s+conflict=([a-z0-9_]+)\s+dropped=(.+)$/.exec(text))) {
      const dropped = parseIdentifiers(m[2], where);
      return { kind: 'blocked', conflict: m[1], dropped };
    }
    if ((m = /^events\s+(\d+)$/.exec(text))) return { kind: 'events', n: Number(m[1]) };
    if ((m = /^account\s+(\S+)$/.exec(text))) return { kind: 'account', group: m[1] };
    if ((m = /^accounts((?:\s+\S+)*)$/.exec(text))) return { kind: 'accounts', groups: m[1].trim() ? m[1].trim().split(/\s+/) : [] };
    // Audience memberships (the profile's `audiences`) and transitions (its timeline).
    if ((m = /^audiences((?:\s+\S+)*)$/.exec(text))) return { kind: 'audiences', names: m[1].trim() ? m[1].trim().split(/\s+/) : [] };
    if ((m = /^audience\s+([A-Za-z0-9_]+)\s+since\s+(\S+)$/.exec(text))) {
      return { kind: 'audience-since', name: m[1], at: parseIso(m[2], where) };
    }
    if ((m = /^audience-(entered|exited)\s+([A-Za-z0-9_]+)\s+at\s+(\S+)$/.exec(text))) {
      return { kind: 'audience-transition', entered: m[1] === 'entered', name: m[2], at: parseIso(m[3], where) };
    }
    if ((m = /^transitions\s+([A-Za-z0-9_]+)((?:\s+\S+)*)$/.exec(text))) {
      const list = m[2].trim() ? m[2].trim().split(/\s+/) : [];
      const transitions = list.map((x) => {
        if (x[0] !== '+' && x[0] !== '-') throw new ScenarioError(where, `a transition is +TIME (entered) or -TIME (exited), got "${x}"`);
        return { entered: x[0] === '+', at: parseIso(x.slice(1), where) };
      });
      return { kind: 'transitions', name: m[1], transitions };
    }
  }
  if ((m = /^trait\s+([^\s=]+)\s*=\s*(.+)$/.exec(text))) {
    return { kind: 'trait', name: m[1], value: parseJson(m[2], where, 'the expected value') };
  }
  if ((m = /^trait\s+(\S+)\s+missing$/.exec(text))) return { kind: 'trait-missing', name: m[1] };
  if (scope === 'account') {
    if ((m = /^members\s+(\d+)$/.exec(text))) return { kind: 'members', n: Number(m[1]) };
    if ((m = /^member\s+(.+)$/.exec(text))) return { kind: 'member', target: parseTarget(m[1], where) };
  }
  throw new ScenarioError(where, `unknown assertion for expect ${scope}: "${text}" (see docs/scenarios.md)`);
}

/** One line under `expect audience NAME`, or under the `---` of an `audience` / `preview` record. */
function parseAudienceCheck(text, where, scope) {
  let m;
  if (scope !== 'audience' && (m = /^error\s+(.+)$/.exec(text))) return { kind: 'error', message: m[1] };
  if (scope !== 'definition') {
    if ((m = /^size\s+(\d+)$/.exec(text))) return { kind: 'size', n: Number(m[1]) };
    if ((m = /^members((?:\s+.*)?)$/.exec(text))) return { kind: 'members', targets: parseTargets(m[1], where) };
  }
  if (scope === 'audience') {
    if ((m = /^member\s+(.+)$/.exec(text))) return { kind: 'member', target: parseTarget(m[1], where) };
    if ((m = /^not-member\s+(.+)$/.exec(text))) return { kind: 'not-member', target: parseTarget(m[1], where) };
  }
  const known = { audience: 'size, members, member, not-member', definition: 'error', preview: 'size, members, error' }[scope];
  throw new ScenarioError(where, `unknown assertion "${text}" (here: ${known}; see docs/scenarios.md)`);
}

/**
 * Parses scenario text into {todo, skip, clock, steps}. Records are separated by blank lines; a
 * record is a command line and the lines under it. Lines starting with `#` are comments
 * everywhere, except that an audience definition keeps them (they are comments in the audience
 * language too).
 */
export function parseScenario(text, file) {
  const lines = text.split(/\r?\n/);
  const scenario = { file, todo: undefined, skip: undefined, clock: undefined, steps: [] };
  let i = 0;
  const at = (n) => `${file}:${n + 1}`;
  const isComment = (l) => /^\s*#/.test(l);
  const isBlank = (l) => l.trim() === '';
  // The body of the record that starts at line `start`: following lines up to a blank line.
  // `raw` keeps indentation and comment lines (audience definitions: the language has `#`
  // comments too, and its errors count lines and columns).
  const body = (start, { raw = false } = {}) => {
    const out = [];
    let j = start + 1;
    for (; j < lines.length && !isBlank(lines[j]); j++) {
      if (isComment(lines[j]) && !raw) continue;
      out.push({ line: j, text: raw ? lines[j].trimEnd() : lines[j].trim(), where: at(j) });
    }
    i = j;
    return out;
  };
  // An audience definition and, after a `---` line, what to expect of it.
  const definition = (start, scope) => {
    const all = body(start, { raw: true });
    const sep = all.findIndex((l) => l.text.trim() === '---');
    const def = sep < 0 ? all : all.slice(0, sep);
    const checks = sep < 0 ? [] : all.slice(sep + 1).filter((l) => !isComment(l.text)).map((l) => ({ ...l, text: l.text.trim() }));
    if (!def.length) throw new ScenarioError(at(start), `${scope === 'preview' ? 'preview' : 'audience'} needs the definition in the lines under it`);
    if (sep >= 0 && !checks.length) throw new ScenarioError(all[sep].where, '--- needs what to expect in the lines under it');
    return {
      text: def.map((l) => l.text).join('\n'),
      checks: checks.map((l) => ({ ...l, ...parseAudienceCheck(l.text, l.where, scope) })),
    };
  };
  while (i < lines.length) {
    const raw = lines[i];
    if (isBlank(raw) || isComment(raw)) {
      i++;
      continue;
    }
    const start = i;
    const where = at(i);
    const head = raw.trim();
    const words = head.split(/\s+/);
    // One-line commands need no blank line after them: the next line starts a new record.
    const noBody = () => {
      i = start + 1;
    };
    let m;
    if (words[0] === 'todo' || words[0] === 'skip') {
      const reason = head.slice(words[0].length).trim();
      if (!reason) throw new ScenarioError(where, `${words[0]} needs a reason`);
      scenario[words[0]] = reason;
      noBody();
    } else if (head === 'config') {
      scenario.steps.push({ kind: 'config', where, lines: body(start) });
    } else if (words[0] === 'send' && words.length <= 2) {
      const source = words[1] ?? DEFAULT_SOURCE;
      if (source === BARRIER_SOURCE) throw new ScenarioError(where, `source name ${BARRIER_SOURCE} is reserved`);
      const events = body(start).map((l) => ({ ...l, event: parseJson(l.text, l.where, 'the event') }));
      if (!events.length) throw new ScenarioError(where, 'send needs at least one event line under it');
      for (const e of events) {
        if (!e.event || typeof e.event !== 'object' || Array.isArray(e.event)) throw new ScenarioError(e.where, 'an event must be a JSON object');
      }
      scenario.steps.push({ kind: 'send', where, source, events });
    } else if (head === 'define') {
      const defs = body(start).map((l) => ({ ...l, def: parseJson(l.text, l.where, 'the definition') }));
      if (!defs.length) throw new ScenarioError(where, 'define needs a JSON definition under it');
      scenario.steps.push({ kind: 'define', where, defs });
    } else if ((m = /^(restart|crash)(?:\s+at\s+(\S+))?$/.exec(head))) {
      // `crash at TIME`: down while the test clock moves on; it starts again at TIME.
      if (m[2] && !scenario.clock) throw new ScenarioError(where, `${m[1]} at TIME needs the test clock: start the file with a clock record`);
      scenario.steps.push({ kind: m[1], where, at: m[2] && parseIso(m[2], where) });
      noBody();
    } else if (words[0] === 'clock') {
      if (words.length !== 2) throw new ScenarioError(where, 'clock needs the start time: clock 2024-01-01T00:00:00Z');
      if (scenario.clock) throw new ScenarioError(where, 'only one clock record');
      if (scenario.steps.some((st) => st.kind !== 'config')) throw new ScenarioError(where, 'clock comes before every step (only config records may precede it)');
      scenario.clock = parseIso(words[1], where);
      noBody();
    } else if (words[0] === 'advance' || words[0] === 'at') {
      if (!scenario.clock) throw new ScenarioError(where, `${words[0]} needs the test clock: start the file with a clock record`);
      if (words.length !== 2) throw new ScenarioError(where, `${words[0]} needs one argument (advance 7d, at 2024-02-01T00:00:00Z)`);
      if (words[0] === 'advance' && !/^\d+[smhd]$/.test(words[1])) throw new ScenarioError(where, `advance takes a whole number and a unit s, m, h or d (advance 7d), got "${words[1]}"`);
      const move = words[0] === 'advance' ? { advance: words[1] } : { to: parseIso(words[1], where) };
      scenario.steps.push({ kind: 'clock', where, head, move });
      noBody();
    } else if ((m = /^audience\s+(\S+)$/.exec(head))) {
      const { text: def, checks } = definition(start, 'definition');
      if (checks.length > 1) throw new ScenarioError(checks[1].where, 'one error line after ---');
      scenario.steps.push({ kind: 'audience', where, name: m[1], definition: def, error: checks[0]?.message });
    } else if (head === 'preview') {
      const { text: def, checks } = definition(start, 'preview');
      if (!checks.length) throw new ScenarioError(where, 'preview needs a --- line and what to expect under it (size N, members …, error …)');
      if (checks.some((c) => c.kind === 'error') && checks.length > 1) throw new ScenarioError(where, 'a preview expects an error, or a size and members, not both');
      scenario.steps.push({ kind: 'preview', where, head, definition: def, checks });
    } else if (head === 'query') {
      const query = parseQuery(body(start), where, (w, msg) => new ScenarioError(w, msg));
      scenario.steps.push({ kind: 'query', where, head, query });
    } else if ((m = /^expect\s+audience\s+(\S+)$/.exec(head))) {
      const checks = body(start).map((l) => ({ ...l, ...parseAudienceCheck(l.text, l.where, 'audience') }));
      scenario.steps.push({ kind: 'expect-audience', where, head, name: m[1], checks });
    } else if ((m = /^expect\s+no-audience\s+(\S+)$/.exec(head))) {
      scenario.steps.push({ kind: 'expect-no-audience', where, head, name: m[1] });
      noBody();
    } else if ((m = /^expect\s+(profile|no-profile|account|no-account)\s+(.+)$/.exec(head))) {
      const kind = m[1];
      const step = { kind: `expect-${kind}`, where, head };
      if (kind === 'profile' || kind === 'no-profile') step.target = parseTarget(m[2], where);
      else step.group = m[2].trim();
      if (kind === 'profile' || kind === 'account') {
        step.checks = body(start).map((l) => ({ ...l, ...parseCheck(l.text, l.where, kind) }));
      } else {
        noBody();
      }
      scenario.steps.push(step);
    } else {
      throw new ScenarioError(where, `unknown command "${head}" (config, clock, send, define, audience, advance, at, restart, crash, expect, preview, query, todo, skip)`);
    }
  }
  return scenario;
}
