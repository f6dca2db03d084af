import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PreferencesPatch } from '#contract/accounts.ts';
import { getProfile, updatePreferences } from '../../../lambdas/accounts/profile.ts';
import type { AuthenticatedUser } from '../../../lambdas/shared/auth.ts';
import { InMemoryDirectory, InMemoryProfileStore } from './in-memory.ts';

const alice: AuthenticatedUser = {
  sub: '7d1c9f00-0000-4000-8000-00000000a11c',
  username: '7d1c9f00-0000-4000-8000-00000000a11c',
  clientId: 'web',
  scopes: ['aws.cognito.signin.user.admin'],
  groups: [],
};

function setup() {
  const profiles = new InMemoryProfileStore();
  const directory = new InMemoryDirectory({ [alice.username]: 'alice@example.com' });
  let clock = Date.parse('2026-11-21T10:00:00Z');
  const now = () => {
    clock += 1000;
    return new Date(clock);
  };
  return { profiles, directory, deps: { profiles, directory, now } };
}

describe('getProfile', () => {
  it('creates the profile on first use with the e-mail the user pool knows and default preferences', async () => {
    const { deps, profiles } = setup();

    const profile = await getProfile(deps, alice);

    assert.equal(profile.userId, alice.sub);
    assert.equal(profile.email, 'alice@example.com');
    assert.deepEqual(profile.preferences, { categories: [], tags: [], language: 'en' });
    assert.equal(profile.createdAt, profile.updatedAt);
    assert.deepEqual(profiles.items.get(alice.sub), profile);
  });

  it('returns the stored profile without asking the user pool again', async () => {
    const { deps, directory } = setup();
    const first = await getProfile(deps, alice);

    const second = await getProfile(deps, alice);

    assert.deepEqual(second, first);
    assert.equal(directory.lookups, 1);
  });
});

describe('updatePreferences', () => {
  it('changes only the fields sent and moves updatedAt', async () => {
    const { deps } = setup();
    const before = await getProfile(deps, alice);

    const after = await updatePreferences(deps, alice, { tags: ['speedrun'] });

    assert.deepEqual(after.preferences, { categories: [], tags: ['speedrun'], language: 'en' });
    assert.equal(after.createdAt, before.createdAt);
    assert.ok(after.updatedAt > before.updatedAt);
  });

  it('creates the profile first when the user has never been seen', async () => {
    const { deps, profiles } = setup();

    const profile = await updatePreferences(deps, alice, { language: 'pt-BR' });

    assert.equal(profile.preferences.language, 'pt-BR');
    assert.equal(profiles.items.size, 1);
  });
});

describe('PreferencesPatch', () => {
  it('normalises tags and drops duplicates', () => {
    const patch = PreferencesPatch.parse({
      tags: [' Speedrun ', 'speedrun', 'retro-games'],
      categories: ['music', 'music'],
    });

    assert.deepEqual(patch, { tags: ['speedrun', 'retro-games'], categories: ['music'] });
  });

  for (const [why, input] of [
    ['an empty change', {}],
    ['an unknown field', { favouriteColour: 'blue' }],
    ['an unknown category', { categories: ['knitting'] }],
    ['a tag with spaces', { tags: ['two words'] }],
    ['more than 20 tags', { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }],
    ['a language that is not a BCP 47 tag', { language: 'English' }],
    ['a list where a string belongs', { language: ['en'] }],
  ] as const) {
    it(`rejects ${why}`, () => {
      assert.equal(PreferencesPatch.safeParse(input).success, false);
    });
  }
});
