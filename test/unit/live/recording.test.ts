import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { recordingEndedKey } from '../../../lambdas/contract/media-layout.ts';
import {
  countThumbnails,
  parseRecordingEnded,
  RecordingMetadataError,
  readRecordingEnd,
  recordingVideoId,
} from '../../../lambdas/live/recording.ts';
import type { IvsEvent } from '../../../lambdas/live/stream-state.ts';

const text = (name: string) =>
  readFileSync(new URL(`../../fixtures/events/${name}`, import.meta.url), 'utf8');
const fixture = (name: string) => JSON.parse(text(name));

const CHANNEL = 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdef1G2hij';
const PREFIX = 'ivs/v1/123456789012/AbCdef1G2hij/2026/11/21/10/0/j8Z9O91ndcVs';

describe('readRecordingEnd', () => {
  it('reads the documented Recording End event', () => {
    assert.deepEqual(readRecordingEnd(fixture('ivs-recording-end.json')), {
      channelArn: CHANNEL,
      streamId: 'st-1A2b3c4D5e6F78ghij9Klmn',
      recordingSessionId: 'j8Z9O91ndcVs',
      bucket: 'skycast-dev-recordings',
      keyPrefix: PREFIX,
      durationMs: 1206533,
      endedAt: '2026-11-21T10:20:45.000Z',
    });
  });

  it('takes the recording id from the key prefix when the event has no recording_session_id', () => {
    const event = fixture('ivs-recording-end.json');
    delete event.detail.recording_session_id;

    assert.equal(readRecordingEnd(event)?.recordingSessionId, 'j8Z9O91ndcVs');
  });

  it("reads a Recording End Failure with IVS's reason", () => {
    assert.equal(
      readRecordingEnd(fixture('ivs-recording-end-failure.json'))?.failureReason,
      'InternalServerException',
    );
  });

  it('is undefined for a Recording Start', () => {
    assert.equal(readRecordingEnd(fixture('ivs-recording-start.json')), undefined);
  });

  it('names the missing field of a malformed Recording End', () => {
    const event = fixture('ivs-recording-end.json');
    delete event.detail.recording_s3_key_prefix;

    assert.throws(() => readRecordingEnd(event), /detail\.recording_s3_key_prefix/);
  });

  it('points at the recording’s metadata file', () => {
    assert.equal(recordingEndedKey(`${PREFIX}/`), `${PREFIX}/events/recording-ended.json`);
  });
});

describe('recordingVideoId', () => {
  it('gives the same UUID for the same Recording End delivered twice', () => {
    const first = readRecordingEnd(fixture('ivs-recording-end.json') as IvsEvent);
    const again = readRecordingEnd(fixture('ivs-recording-end.json') as IvsEvent);

    const id = recordingVideoId(first?.channelArn as string, first?.recordingSessionId as string);

    assert.equal(id, recordingVideoId(again?.channelArn as string, again?.recordingSessionId as string));
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('gives different ids to different recordings or channels', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (channel, a, b) => {
        fc.pre(a !== b);
        assert.notEqual(recordingVideoId(channel, a), recordingVideoId(channel, b));
        assert.notEqual(recordingVideoId(`${channel}x`, a), recordingVideoId(channel, a));
      }),
    );
  });
});

describe('parseRecordingEnded', () => {
  it('turns the documented metadata into a playable video: bare keys, duration, three renditions', () => {
    const media = parseRecordingEnded(text('ivs-recording-ended-metadata.json'), PREFIX);

    assert.deepEqual(media, {
      playbackPath: `${PREFIX}/media/hls/master.m3u8`,
      durationSeconds: 1206.533,
      renditions: [
        {
          name: '720p',
          width: 1280,
          height: 720,
          bitrate: 0,
          playlistPath: `${PREFIX}/media/hls/720p30/playlist.m3u8`,
        },
        {
          name: '480p',
          width: 852,
          height: 480,
          bitrate: 0,
          playlistPath: `${PREFIX}/media/hls/480p30/playlist.m3u8`,
        },
        {
          name: '160p',
          width: 284,
          height: 160,
          bitrate: 0,
          playlistPath: `${PREFIX}/media/hls/160p30/playlist.m3u8`,
        },
      ],
    });
  });

  it('reads two renditions, largest first, and names a portrait one by its short side', () => {
    const metadata = fixture('ivs-recording-ended-metadata.json');
    metadata.media.hls.renditions = [
      { path: '360p30', playlist: 'playlist.m3u8', resolution_width: 360, resolution_height: 640 },
      { path: '720p30', playlist: 'playlist.m3u8', resolution_width: 720, resolution_height: 1280 },
    ];

    const media = parseRecordingEnded(metadata, PREFIX);

    assert.deepEqual(
      media.renditions?.map((rendition) => [rendition.name, rendition.width, rendition.height]),
      [
        ['720p', 720, 1280],
        ['360p', 360, 640],
      ],
    );
  });

  it('adds thumbnails and a poster from a listing of the thumbnails folder', () => {
    const folder = `${PREFIX}/media/thumbnails`;
    const keys = [0, 1, 2, 3, 5].map((index) => `${folder}/thumb${index}.jpg`);

    const media = parseRecordingEnded(text('ivs-recording-ended-metadata.json'), PREFIX, {
      intervalSeconds: 60,
      keys: [...keys, `${folder}/other.jpg`],
    });

    assert.deepEqual(media.thumbnails, {
      pathTemplate: `${folder}/thumb{index}.jpg`,
      count: 4,
      intervalSeconds: 60,
    });
    assert.equal(media.posterPath, `${folder}/thumb1.jpg`);
  });

  it('says a recording with no picture is audio only', () => {
    const metadata = fixture('ivs-recording-ended-metadata.json');
    metadata.media.hls.renditions = [{ path: 'audio', playlist: 'playlist.m3u8' }];

    const media = parseRecordingEnded(metadata, PREFIX);

    assert.deepEqual([media.renditions, media.audioOnly], [[], true]);
  });

  type Metadata = ReturnType<typeof fixture>;
  /** Each case spoils the documented metadata in place, or returns text to parse instead. */
  const malformed: [string, (metadata: Metadata) => string | undefined, RegExp][] = [
    ['text that is not JSON', () => '{"version": "v1",', /not JSON/],
    [
      'no duration',
      (m) => {
        delete m.media.hls.duration_ms;
        return undefined;
      },
      /media\.hls\.duration_ms/,
    ],
    [
      'a negative duration',
      (m) => {
        m.media.hls.duration_ms = -1;
        return undefined;
      },
      /media\.hls\.duration_ms/,
    ],
    [
      'no renditions',
      (m) => {
        m.media.hls.renditions = [];
        return undefined;
      },
      /media\.hls\.renditions/,
    ],
    [
      'a rendition without a path',
      (m) => {
        delete m.media.hls.renditions[1].path;
        return undefined;
      },
      /media\.hls\.renditions\.1\.path/,
    ],
    [
      'no media at all',
      (m) => {
        delete m.media;
        return undefined;
      },
      /media/,
    ],
    [
      'a recording that failed',
      (m) => {
        m.recording_status = 'RECORDING_ENDED_WITH_FAILURE';
        return undefined;
      },
      /did not end cleanly/,
    ],
  ];
  for (const [what, spoil, message] of malformed) {
    it(`refuses metadata with ${what}, saying where`, () => {
      const metadata = fixture('ivs-recording-ended-metadata.json');
      const result = spoil(metadata);
      const input = result ?? metadata;

      assert.throws(
        () => parseRecordingEnded(input, PREFIX),
        (error) => error instanceof RecordingMetadataError && message.test(error.message),
      );
    });
  }

  it('keeps every rendition IVS lists, under the recording’s prefix (property)', () => {
    const rendition = fc.record({
      path: fc.stringMatching(/^[0-9]{3,4}p[0-9]{2}$/),
      width: fc.integer({ min: 16, max: 3840 }),
      height: fc.integer({ min: 16, max: 2160 }),
    });
    fc.assert(
      fc.property(
        fc.array(rendition, { minLength: 2, maxLength: 3 }),
        fc.nat({ max: 86_400_000 }),
        (list, ms) => {
          const metadata = fixture('ivs-recording-ended-metadata.json');
          metadata.media.hls.duration_ms = ms;
          metadata.media.hls.renditions = list.map((r) => ({
            path: r.path,
            playlist: 'playlist.m3u8',
            resolution_width: r.width,
            resolution_height: r.height,
          }));

          const media = parseRecordingEnded(metadata, PREFIX);

          assert.equal(media.durationSeconds, ms / 1000);
          assert.equal(media.playbackPath, `${PREFIX}/media/hls/master.m3u8`);
          assert.equal(media.renditions?.length, list.length);
          for (const r of media.renditions ?? []) {
            assert.ok(r.playlistPath.startsWith(`${PREFIX}/media/hls/`));
            assert.equal(r.name, `${Math.min(r.width, r.height)}p`);
          }
          const areas = (media.renditions ?? []).map((r) => r.width * r.height);
          assert.deepEqual(
            areas,
            [...areas].sort((a, b) => b - a),
          );
        },
      ),
    );
  });
});

describe('countThumbnails', () => {
  it('counts thumb0…thumbN-1 while contiguous, in that folder only', () => {
    const keys = [
      'a/thumb0.jpg',
      'a/thumb1.jpg',
      'a/thumb2.jpg',
      'a/thumb4.jpg',
      'b/thumb3.jpg',
      'a/thumb3.png',
    ];

    assert.equal(countThumbnails(keys, 'a'), 3);
    assert.equal(countThumbnails(keys, 'b'), 0);
  });
});
