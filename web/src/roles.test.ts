// Tests of roles.ts: what each role is offered, matching docs/api.md's route table.
import { describe, expect, it } from 'vitest';
import { can, parseRole, rolesFor } from './roles';

describe('roles', () => {
  it('lets everyone read and query', () => {
    for (const role of ['admin', 'marketer', 'analyst'] as const) {
      expect(can(role, 'events.read')).toBe(true);
      expect(can(role, 'profiles.read')).toBe(true);
      expect(can(role, 'query')).toBe(true);
      expect(can(role, 'audiences.read')).toBe(true);
    }
  });
  it('never lets an analyst write', () => {
    for (const action of ['events.send', 'audiences.write', 'computedTraits.write', 'insights.apply', 'spend.write', 'imports', 'sources.create', 'tokens.manage', 'destinations.test', 'deadLetters.manage', 'destinations.create'] as const) {
      expect(can('analyst', action)).toBe(false);
    }
  });
  it('keeps sources and tokens for admins', () => {
    expect(can('marketer', 'events.send')).toBe(true);
    expect(can('marketer', 'sources.create')).toBe(false);
    expect(can('marketer', 'tokens.manage')).toBe(false);
    expect(can('admin', 'sources.create')).toBe(true);
    expect(rolesFor('sources.create')).toEqual(['admin']);
    expect(rolesFor('audiences.write')).toEqual(['admin', 'marketer']);
  });
  it('follows the destinations routes of src/server/app.cc', () => {
    expect(rolesFor('destinations.read')).toEqual(['admin', 'marketer', 'analyst']);
    expect(rolesFor('destinations.test')).toEqual(['admin', 'marketer']);
    expect(rolesFor('deadLetters.manage')).toEqual(['admin', 'marketer']);
    expect(rolesFor('destinations.create')).toEqual(['admin']);
  });
  it('follows the journeys routes of docs/journeys.md', () => {
    expect(rolesFor('journeys.read')).toEqual(['admin', 'marketer', 'analyst']);
    expect(rolesFor('journeys.write')).toEqual(['admin', 'marketer']);
  });
  it('lets every role save dashboards (POST, PUT, DELETE /api/v1/dashboards)', () => {
    expect(rolesFor('dashboards.read')).toEqual(['admin', 'marketer', 'analyst']);
    expect(rolesFor('dashboards.write')).toEqual(['admin', 'marketer', 'analyst']);
  });
  it('gives nothing to an unknown role', () => {
    expect(parseRole('root')).toBeNull();
    expect(parseRole('admin')).toBe('admin');
    expect(can(null, 'events.read')).toBe(false);
    expect(can(undefined, 'query')).toBe(false);
  });
});
