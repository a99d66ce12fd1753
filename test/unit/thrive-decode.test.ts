import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PayloadShapeError } from '../../src/errors.ts';
import {
  decodeThriveAudience,
  decodeThriveAudiencePage,
  decodeThriveErrorBody,
  decodeThriveTokenResponse,
  decodeThriveUser,
  parseThriveJson,
} from '../../src/providers/thrive/decode.ts';

const fixtureText = (name: string): string =>
  readFileSync(new URL(`../fixtures/thrive/${name}`, import.meta.url), 'utf8');
const fixture = (name: string): Record<string, any> => JSON.parse(fixtureText(name));

/** The `PayloadShapeError` that `run` throws (fails the test when it throws nothing or something else). */
function shapeError(run: () => unknown): PayloadShapeError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PayloadShapeError);
    return error as PayloadShapeError;
  }
  throw new Error('expected a PayloadShapeError, but nothing was thrown');
}

describe('decodeThriveUser on verbatim payloads', () => {
  it('accepts the documented example object whole, every field kept', () => {
    expect(decodeThriveUser(parseThriveJson(fixtureText('user-documented.json')))).toEqual(
      fixture('user-documented.json'),
    );
  });

  it('accepts the variant Airbyte saw in real responses whole, every field kept', () => {
    expect(decodeThriveUser(parseThriveJson(fixtureText('user-airbyte.json')))).toEqual(
      fixture('user-airbyte.json'),
    );
  });

  it('accepts a BasicUser, which has only ten fields', () => {
    expect(decodeThriveUser(parseThriveJson(fixtureText('basic-user.json')))).toEqual(
      fixture('basic-user.json'),
    );
  });

  it('accepts an object holding nothing but an id', () => {
    expect(decodeThriveUser({ id: '646767d82535201223349e09' })).toEqual({ id: '646767d82535201223349e09' });
  });

  it('drops fields the wire types do not name', () => {
    const decoded = decodeThriveUser({
      ...fixture('basic-user.json'),
      favouriteColour: 'teal',
      nested: { a: 1 },
    });
    expect(decoded).not.toHaveProperty('favouriteColour');
    expect(decoded).not.toHaveProperty('nested');
  });
});

describe('decodeThriveUser on documented variants', () => {
  it('accepts null in every field the docs type as nullable', () => {
    const nulls = {
      id: '646767d82535201223349e09',
      ref: null,
      firstName: null,
      lastName: null,
      email: null,
      role: null,
      status: null,
      positions: null,
      additionalFields: null,
      languageCode: null,
      firstLogin: null,
      lastLogin: null,
      tags: null,
      createdAt: null,
      updatedAt: null,
      timeZone: null,
      summary: null,
      rank: null,
      agreedTerms: null,
      onboarded: null,
      audiences: null,
      jobTitle: null,
    };
    expect(decodeThriveUser(nulls)).toEqual(nulls);
  });

  it('reads null in a field the docs type as non-nullable as absent', () => {
    const decoded = decodeThriveUser({
      id: '646767d82535201223349e09',
      deleted: null,
      compliance: null,
      level: null,
      hasPicture: null,
      relevancy: null,
      singleSignOn: null,
      usersFollowing: null,
      tagsFollowing: null,
    });
    expect(decoded).toEqual({ id: '646767d82535201223349e09' });
  });

  it('accepts a position with every nullable field null and no manager key at all', () => {
    const position = {
      id: '646767d82535201223349e09',
      ouId: null,
      title: null,
      isActive: true,
      startDate: null,
      endDate: null,
      createdAt: null,
      updatedAt: null,
    };
    expect(decodeThriveUser({ id: 'u1', positions: [position] }).positions).toEqual([position]);
  });

  it('accepts a position whose manager is null', () => {
    expect(decodeThriveUser({ id: 'u1', positions: [{ manager: null }] }).positions).toEqual([
      { manager: null },
    ]);
  });

  it('accepts a manager carrying name and ref, and one with them null', () => {
    const positions = [
      { manager: { id: 'm1', name: 'Jane Roe', ref: 'JR-1' } },
      { manager: { id: 'm2', name: null, ref: null } },
    ];
    expect(decodeThriveUser({ id: 'u1', positions }).positions).toEqual(positions);
  });

  it('reads a position whose isActive is null as one that does not say', () => {
    expect(decodeThriveUser({ id: 'u1', positions: [{ isActive: null, title: 'Lead' }] }).positions).toEqual([
      { title: 'Lead' },
    ]);
  });

  it('accepts audiences as id strings and as {id} objects, even mixed', () => {
    expect(
      decodeThriveUser({ id: 'u1', audiences: ['a1', { id: 'a2', name: 'ignored' }] }).audiences,
    ).toEqual(['a1', { id: 'a2' }]);
  });

  it('accepts rank with currentRank and a string category, and with currentLevel and a numeric one', () => {
    expect(
      decodeThriveUser({ id: 'u1', rank: { currentCategory: 'Beginner', currentRank: 1 } }).rank,
    ).toEqual({
      currentCategory: 'Beginner',
      currentRank: 1,
    });
    expect(decodeThriveUser({ id: 'u1', rank: { currentCategory: 2, currentLevel: 3 } }).rank).toEqual({
      currentCategory: 2,
      currentLevel: 3,
    });
  });

  it('accepts agreedTerms as a boolean, a string and null', () => {
    for (const agreedTerms of [true, false, '2023-03-01T09:15:27.000Z', null]) {
      expect(decodeThriveUser({ id: 'u1', agreedTerms }).agreedTerms).toBe(agreedTerms);
    }
  });

  it('accepts tags.skills as a string and as an array of strings', () => {
    expect(decodeThriveUser({ id: 'u1', tags: { skills: 'Leadership' } }).tags).toEqual({
      skills: 'Leadership',
    });
    expect(decodeThriveUser({ id: 'u1', tags: { skills: ['SQL', 'Go'] } }).tags).toEqual({
      skills: ['SQL', 'Go'],
    });
  });

  it('accepts usersFollowing and tagsFollowing inside tags and at the top level', () => {
    const nested = decodeThriveUser({ id: 'u1', tags: { usersFollowing: ['x'], tagsFollowing: ['t'] } });
    expect(nested.tags).toEqual({ usersFollowing: ['x'], tagsFollowing: ['t'] });
    const topLevel = decodeThriveUser({ id: 'u1', usersFollowing: ['x'], tagsFollowing: [{ id: 't' }] });
    expect(topLevel).toMatchObject({ usersFollowing: ['x'], tagsFollowing: [{ id: 't' }] });
  });

  it('keeps additionalFields values of any JSON kind, in their order', () => {
    const additionalFields = {
      location: 'London',
      headcount: 12,
      onLeave: false,
      badge: null,
      extra: { a: 1 },
    };
    const decoded = decodeThriveUser({ id: 'u1', additionalFields });
    expect(decoded.additionalFields).toEqual(additionalFields);
    expect(Object.keys(decoded.additionalFields!)).toEqual(Object.keys(additionalFields));
  });

  it('accepts additionalFields null', () => {
    expect(decodeThriveUser({ id: 'u1', additionalFields: null }).additionalFields).toBeNull();
  });
});

describe('decodeThriveUser on payloads that are not the documented shape', () => {
  it('rejects a body that is not JSON, naming neither the body nor its content', () => {
    const error = shapeError(() => parseThriveJson('<html>Bad gateway: secret-ish text</html>'));
    expect(error.path).toBe('(body)');
    expect(error.expected).toBe('a JSON document');
    expect(error.message).not.toContain('Bad gateway');
  });

  it('rejects an empty body', () => {
    expect(shapeError(() => parseThriveJson('')).received).toBe('an empty body');
  });

  it('rejects a list where a user object belongs', () => {
    const error = shapeError(() => decodeThriveUser([fixture('basic-user.json')]));
    expect([error.path, error.expected, error.received]).toEqual(['(body)', 'an object', 'an array of 1']);
  });

  it('rejects a user without an id', () => {
    const { id: _id, ...withoutId } = fixture('basic-user.json');
    const error = shapeError(() => decodeThriveUser(withoutId));
    expect(error.path).toBe('id');
    expect(error.received).toBe('no value (the field is absent)');
  });

  it('rejects an id outside the Thrive id alphabet, without echoing it', () => {
    const error = shapeError(() => decodeThriveUser({ id: '../admin' }));
    expect(error.path).toBe('id');
    expect(error.expected).toContain('Thrive id');
    expect(error.received).toBe('a string of 8 characters');
    expect(error.message).not.toContain('../admin');
  });

  it('rejects a status that is not a string', () => {
    const error = shapeError(() => decodeThriveUser({ id: 'u1', status: 1 }));
    expect([error.path, error.expected, error.received]).toEqual(['status', 'a string', 'a number']);
  });

  it('rejects positions that are not an array', () => {
    expect(shapeError(() => decodeThriveUser({ id: 'u1', positions: { manager: null } })).path).toBe(
      'positions',
    );
  });

  it('reads a manager without a usable id ({}, id null, id "") as no manager, as null is', () => {
    for (const manager of [null, {}, { id: null, name: null, ref: null }, { id: '' }, { name: 'X' }]) {
      expect(decodeThriveUser({ id: 'u1', positions: [{ manager }] }).positions).toEqual([{ manager: null }]);
    }
  });

  it('names the position and field of a manager id outside the alphabet', () => {
    const error = shapeError(() =>
      decodeThriveUser({ id: 'u1', positions: [{}, { manager: { id: 'a.b', name: 'X' } }] }),
    );
    expect(error.path).toBe('positions[1].manager.id');
  });

  it('rejects an ouId outside the Thrive id alphabet', () => {
    expect(shapeError(() => decodeThriveUser({ id: 'u1', positions: [{ ouId: 'a b' }] })).path).toBe(
      'positions[0].ouId',
    );
  });

  it('rejects an audience entry that is neither an id nor an {id} object', () => {
    const error = shapeError(() => decodeThriveUser({ id: 'u1', audiences: ['a1', 42] }));
    expect([error.path, error.received]).toEqual(['audiences[1]', 'a number']);
  });

  it('names the missing id inside an audience object', () => {
    expect(shapeError(() => decodeThriveUser({ id: 'u1', audiences: [{ name: 'x' }] })).path).toBe(
      'audiences[0].id',
    );
  });

  it('rejects additionalFields that are an array', () => {
    expect(shapeError(() => decodeThriveUser({ id: 'u1', additionalFields: ['London'] })).path).toBe(
      'additionalFields',
    );
  });

  it('rejects a rank whose currentCategory is neither a string nor a number', () => {
    const error = shapeError(() => decodeThriveUser({ id: 'u1', rank: { currentCategory: true } }));
    expect([error.path, error.expected]).toEqual(['rank.currentCategory', 'a string or a number']);
  });

  it('rejects a deleted flag that is a string', () => {
    expect(shapeError(() => decodeThriveUser({ id: 'u1', deleted: 'false' })).path).toBe('deleted');
  });
});

describe('decodeThriveAudience', () => {
  it('accepts a structure verbatim', () => {
    expect(decodeThriveAudience(parseThriveJson(fixtureText('audience-structure.json')))).toEqual(
      fixture('audience-structure.json'),
    );
  });

  it('accepts a child audience with its parent verbatim', () => {
    expect(decodeThriveAudience(parseThriveJson(fixtureText('audience-child.json')))).toEqual(
      fixture('audience-child.json'),
    );
  });

  it('accepts parent null and an audience holding only id and name', () => {
    expect(decodeThriveAudience({ id: 'a1', name: 'All', parent: null })).toEqual({
      id: 'a1',
      name: 'All',
      parent: null,
    });
  });

  it('rejects an audience without a name', () => {
    expect(shapeError(() => decodeThriveAudience({ id: 'a1' })).path).toBe('name');
  });

  it('rejects a parent without an id', () => {
    expect(shapeError(() => decodeThriveAudience({ id: 'a1', name: 'x', parent: { name: 'y' } })).path).toBe(
      'parent.id',
    );
  });
});

describe('decodeThriveAudiencePage', () => {
  it('accepts the {pagination, results} envelope verbatim', () => {
    expect(decodeThriveAudiencePage(parseThriveJson(fixtureText('audiences-page.json')))).toEqual(
      fixture('audiences-page.json'),
    );
  });

  it('accepts a page whose pagination is missing or null', () => {
    const { results } = fixture('audiences-page.json');
    expect(decodeThriveAudiencePage({ results }).results).toHaveLength(3);
    expect(decodeThriveAudiencePage({ pagination: null, results })).toMatchObject({ pagination: null });
  });

  it('rejects a bare array, which is not the documented envelope', () => {
    expect(shapeError(() => decodeThriveAudiencePage(fixture('audiences-page.json').results)).path).toBe(
      '(body)',
    );
  });

  it('names the index of a bad item', () => {
    const page = fixture('audiences-page.json');
    page.results[2].name = 7;
    expect(shapeError(() => decodeThriveAudiencePage(page)).path).toBe('results[2].name');
  });

  it('rejects pagination without totalPages', () => {
    const page = fixture('audiences-page.json');
    delete page.pagination.totalPages;
    expect(shapeError(() => decodeThriveAudiencePage(page)).path).toBe('pagination.totalPages');
  });
});

describe('decodeThriveErrorBody', () => {
  it('accepts a message that is a string', () => {
    expect(decodeThriveErrorBody(parseThriveJson(fixtureText('error-not-found.json')))).toEqual({
      status: 404,
      error: 'Not Found',
      message: 'User not found',
    });
  });

  it('accepts a message that is an object', () => {
    expect(decodeThriveErrorBody(parseThriveJson(fixtureText('error-bad-request.json')))).toEqual(
      fixture('error-bad-request.json'),
    );
  });

  it('rejects a message that is a number', () => {
    const error = shapeError(() =>
      decodeThriveErrorBody({ status: 500, error: 'Internal Server Error', message: 5 }),
    );
    expect([error.path, error.expected]).toEqual(['message', 'a string or an object']);
  });
});

describe('decodeThriveTokenResponse', () => {
  it('accepts the Cognito-style token response', () => {
    expect(
      decodeThriveTokenResponse({ access_token: 'abc.def.ghi', expires_in: 3600, token_type: 'Bearer' }),
    ).toEqual({ access_token: 'abc.def.ghi', expires_in: 3600, token_type: 'Bearer' });
  });

  it('accepts a response without expires_in', () => {
    expect(decodeThriveTokenResponse({ access_token: 'abc' })).toEqual({ access_token: 'abc' });
  });

  it('rejects an empty access token', () => {
    expect(shapeError(() => decodeThriveTokenResponse({ access_token: '', expires_in: 3600 })).path).toBe(
      'access_token',
    );
  });

  it('rejects an error body such as {"error":"invalid_client"}', () => {
    expect(shapeError(() => decodeThriveTokenResponse({ error: 'invalid_client' })).path).toBe(
      'access_token',
    );
  });
});
