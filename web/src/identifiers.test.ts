// Tests of identifiers.ts: the TYPE:VALUE look-up query and its encoding.
import { describe, expect, it } from 'vitest';
import { identifierText, isProfileId, profileLookupPath, splitIdentifier } from './identifiers';

describe('profileLookupPath', () => {
  it('encodes the whole TYPE:VALUE', () => {
    expect(profileLookupPath('email', 'Ada@Example.com')).toBe('/api/v1/profiles?identifier=email%3AAda%40Example.com');
    expect(profileLookupPath('phone', '+33 6 12')).toBe('/api/v1/profiles?identifier=phone%3A%2B33%206%2012');
    expect(profileLookupPath('user_id', 'a&b=c#d')).toBe('/api/v1/profiles?identifier=user_id%3Aa%26b%3Dc%23d');
    expect(profileLookupPath('anonymous_id', 'x:y')).toBe('/api/v1/profiles?identifier=anonymous_id%3Ax%3Ay');
  });
  it('trims the value and refuses blanks and bad types', () => {
    expect(profileLookupPath('user_id', '  u42 ')).toBe('/api/v1/profiles?identifier=user_id%3Au42');
    expect(profileLookupPath('user_id', '   ')).toBeNull();
    expect(profileLookupPath('Email', 'a@b.c')).toBeNull();
    expect(profileLookupPath('', 'a')).toBeNull();
    expect(identifierText('crm_id', 'C-42')).toBe('crm_id:C-42');
  });
});

describe('splitIdentifier', () => {
  it('splits at the first colon', () => {
    expect(splitIdentifier('email:ada@x.io')).toEqual({ type: 'email', value: 'ada@x.io' });
    expect(splitIdentifier('anonymous_id:a:b')).toEqual({ type: 'anonymous_id', value: 'a:b' });
    expect(splitIdentifier('nocolon')).toBeNull();
    expect(splitIdentifier(':x')).toBeNull();
    expect(splitIdentifier('email:  ')).toBeNull();
  });
  it('recognises profile ids', () => {
    expect(isProfileId('p42')).toBe(true);
    expect(isProfileId('p')).toBe(false);
    expect(isProfileId('42')).toBe(false);
  });
});
