import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlaylistParseError } from '../../../lambdas/delivery/errors.ts';
import { parseSourcePlaylist } from '../../../lambdas/delivery/s3-playlist-source.ts';
import { MALFORMED_PLAYLISTS, MEDIACONVERT_720P } from './playlists.ts';

describe('parseSourcePlaylist', () => {
  it('reads a valid source playlist', () => {
    const playlist = parseSourcePlaylist(MEDIACONVERT_720P);

    assert.equal(playlist.kind, 'media');
  });

  it('turns a malformed source playlist into a 502 PLAYLIST_INVALID naming the line and the reason', () => {
    for (const [text, message] of MALFORMED_PLAYLISTS) {
      assert.throws(
        () => parseSourcePlaylist(text),
        (error) =>
          error instanceof PlaylistParseError &&
          error.code === 'PLAYLIST_INVALID' &&
          error.status === 502 &&
          message.test(error.message),
        text,
      );
    }
  });
});
