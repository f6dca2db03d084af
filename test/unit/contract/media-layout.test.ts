import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { matchesPathPattern } from '#contract/delivery.ts';
import {
  clipFolder,
  clipFolderName,
  clipPlaylistPath,
  filteredPlaylistPath,
  isMediaConvertFile,
  ivsHlsNames,
  ivsSegmentIndex,
  ivsThumbnailIndex,
  livePlaybackPath,
  MEDIA_PATH_PATTERNS,
  MEDIA_PATH_PREFIXES,
  MediaLayoutError,
  mediaConvertNames,
  mediaSourceOf,
  parseCaptureKey,
  parseClipFolderName,
  parseGeneratedPlaylistPath,
  parseLivePlaybackPath,
  parseRecordingPrefix,
  parseS3Uri,
  parseUploadKey,
  parseVideoOutputKey,
  RECORDING_FILES,
  recordingEndedKey,
  recordingKeyPrefix,
  recordingMultivariantKey,
  recordingRenditionPlaylistKey,
  recordingSegmentKey,
  recordingThumbnailIndex,
  recordingThumbnailKey,
  recordingThumbnailsPrefix,
  recordingThumbnailTemplate,
  renditionOfPlaylistKey,
  s3Uri,
  UPLOAD_OBJECTS,
  UPLOADS_PREFIX,
  uploadKey,
  VIDEO_OBJECTS,
  videoMediaPrefix,
  videoOutputDestination,
  videoPlaylistKey,
} from '#contract/media-layout.ts';
import { FileName } from '#contract/uploads.ts';

/** Ids as the API issues them: a video id by its schema's rule, an owner's id a Cognito sub (a UUID). */
const videoIds = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const ownerIds = fc.oneof(fc.uuid(), videoIds);
/** Any file name createUpload accepts. */
const fileNames = fc
  .string({ minLength: 1, maxLength: 255 })
  .filter((name) => FileName.safeParse(name).success);

// IVS's example in its documentation (record-to-s3.html), and the fixture's.
const IVS_EXAMPLE = 'ivs/v1/123456789012/AsXego4U6tnj/2020/6/23/20/12/j8Z9O91ndcVs';
const REC = 'ivs/v1/123456789012/AbCdEf/2026/3/1/10/0/rec123/';

describe('upload keys', () => {
  it("puts an upload under its owner's prefix and keeps a known extension", () => {
    assert.equal(uploadKey('u-1', 'v-1', 'My Holiday.MOV'), 'uploads/u-1/v-1/source.mov');
    assert.equal(uploadKey('u-1', 'v-1', 'clip'), 'uploads/u-1/v-1/source');
    assert.equal(uploadKey('u-1', 'v-1', 'evil.sh'), 'uploads/u-1/v-1/source');
  });

  it('reads the owner and video back from a key, and nothing from other keys', () => {
    assert.deepEqual(parseUploadKey('uploads/u-1/v-1/source.mp4'), { ownerId: 'u-1', videoId: 'v-1' });
    assert.deepEqual(parseUploadKey(uploadKey('a', 'b', 'x.webm')), { ownerId: 'a', videoId: 'b' });
    for (const key of [
      'uploads/u-1/source.mp4',
      'other/u-1/v-1/source.mp4',
      'uploads/u-1/v-1/source.mp4/x',
      'uploads/u-1/v-1/notes.txt',
    ]) {
      assert.equal(parseUploadKey(key), undefined, key);
    }
  });

  it('reads back the owner and video of any key it builds, under that owner and the IAM pattern', () => {
    fc.assert(
      fc.property(ownerIds, videoIds, fileNames, (ownerId, videoId, fileName) => {
        const key = uploadKey(ownerId, videoId, fileName);
        assert.deepEqual(parseUploadKey(key), { ownerId, videoId });
        assert.ok(key.startsWith(`${UPLOADS_PREFIX}${ownerId}/${videoId}/`), key);
        assert.ok(matchesPathPattern(UPLOAD_OBJECTS, key), key);
        // The name the user chose never reaches the key beyond a known extension.
        assert.match(key.slice(key.lastIndexOf('/') + 1), /^source(\.[a-z0-9]{1,5})?$/);
      }),
    );
  });

  it("never reads a key of one owner as another owner's", () => {
    fc.assert(
      fc.property(ownerIds, ownerIds, videoIds, fileNames, (owner, other, videoId, fileName) => {
        fc.pre(owner !== other);
        assert.notEqual(parseUploadKey(uploadKey(owner, videoId, fileName))?.ownerId, other);
      }),
    );
  });

  it("refuses ids that would leave the owner's folder, and keys that climb out of it", () => {
    for (const [owner, video] of [
      ['..', 'v-1'],
      ['u-1', '..'],
      ['u-1/../u-2', 'v-1'],
      ['', 'v-1'],
      ['u-1', 'v/1'],
    ]) {
      assert.throws(() => uploadKey(owner as string, video as string, 'a.mp4'), MediaLayoutError);
    }
    for (const key of [
      'uploads/../u-2/v-1/source.mp4',
      'uploads/u-1/../v-1/source.mp4',
      'uploads/u-1/v-1/../source.mp4',
      'uploads//v-1/source.mp4',
      'uploads/u-1/v-1/source.sh',
      '/uploads/u-1/v-1/source.mp4',
      'videos/v-1/hls/index.m3u8',
    ]) {
      assert.equal(parseUploadKey(key), undefined, key);
    }
  });
});

describe("a video's outputs", () => {
  it('builds the prefix, destinations and playlist under videos/<id>/', () => {
    assert.equal(videoMediaPrefix('v-1'), 'videos/v-1/');
    assert.equal(videoOutputDestination('v-1', 'hls'), 'videos/v-1/hls/index');
    assert.equal(videoOutputDestination('v-1', 'thumbnails'), 'videos/v-1/thumbnails/thumb');
    assert.equal(videoOutputDestination('v-1', 'poster'), 'videos/v-1/poster/poster');
    assert.equal(videoPlaylistKey('v-1'), 'videos/v-1/hls/index.m3u8');
    assert.throws(() => videoMediaPrefix('../uploads'), MediaLayoutError);
  });

  it('recognises the output group of what MediaConvert writes there', () => {
    const capture = mediaConvertNames.capture(videoOutputDestination('v-1', 'poster'), 1);
    assert.equal(capture, 'videos/v-1/poster/poster.0000001.jpg');
    assert.deepEqual(parseVideoOutputKey(capture), {
      videoId: 'v-1',
      output: 'poster',
      file: 'poster.0000001.jpg',
    });
    assert.equal(parseVideoOutputKey('videos/v-1/hls/index_720p.m3u8')?.output, 'hls');
    for (const key of ['videos/v-1/other/x.jpg', 'videos/v-1/poster/..', 'uploads/v-1/poster/p.jpg']) {
      assert.equal(parseVideoOutputKey(key), undefined, key);
    }
  });

  it('keeps every id its own prefix: no video prefix is the start of another', () => {
    fc.assert(
      fc.property(videoIds, videoIds, (a, b) => {
        fc.pre(a !== b);
        assert.ok(!videoPlaylistKey(b).startsWith(videoMediaPrefix(a)));
        assert.ok(matchesPathPattern(VIDEO_OBJECTS, videoPlaylistKey(a)));
      }),
    );
  });
});

describe('mediaSourceOf', () => {
  it("finds a video's and a recording's prefix and multivariant playlist", () => {
    assert.deepEqual(mediaSourceOf('videos/v1/clips/0-1000/index.m3u8'), {
      bucket: 'media',
      prefix: 'videos/v1/',
      multivariantKey: 'videos/v1/hls/index.m3u8',
    });
    assert.deepEqual(mediaSourceOf(`${REC}clips/0-1000/index.m3u8`), {
      bucket: 'recordings',
      prefix: REC,
      multivariantKey: `${REC}media/hls/master.m3u8`,
    });
    assert.equal(mediaSourceOf('ivs/v1/too/short/clips/0-1000/index.m3u8'), undefined);
  });

  it('finds the source of every playlist a transcode or a recording has', () => {
    fc.assert(
      fc.property(videoIds, (videoId) => {
        const source = mediaSourceOf(videoPlaylistKey(videoId));
        assert.equal(source?.prefix, videoMediaPrefix(videoId));
        assert.equal(source?.multivariantKey, videoPlaylistKey(videoId));
      }),
    );
    assert.equal(mediaSourceOf(recordingMultivariantKey(IVS_EXAMPLE))?.prefix, `${IVS_EXAMPLE}/`);
  });

  it('finds none outside the layout', () => {
    for (const path of [
      'videos/../uploads/u-1/v-1/source.mp4',
      'videos/v-1/../v-2/hls/index.m3u8',
      `${REC}../other/media/hls/master.m3u8`,
      'videos//hls/index.m3u8',
      'videos/v-1',
      'uploads/u-1/v-1/source.mp4',
      'ivs/v2/123456789012/AbCdEf/2026/3/1/10/0/rec123/media/hls/master.m3u8',
      'ivs/v1/123456789012/AbCdEf/2026/13/1/10/0/rec123/media/hls/master.m3u8',
      `/${REC}media/hls/master.m3u8`,
      'elsewhere/index.m3u8',
    ]) {
      assert.equal(mediaSourceOf(path), undefined, path);
    }
  });
});

describe('generated playlists', () => {
  it('builds and recognises filtered and clip playlists under the source', () => {
    const source = mediaSourceOf(videoPlaylistKey('v-1'));
    assert.ok(source);
    assert.equal(filteredPlaylistPath(source), 'videos/v-1/manifest/index.m3u8');
    assert.deepEqual(parseGeneratedPlaylistPath(filteredPlaylistPath(source)), { kind: 'filtered', source });
    assert.equal(clipFolder(source, { start: 1, end: 2.5 }), 'videos/v-1/clips/1000-2500/');
    assert.equal(clipPlaylistPath(source, { start: 1, end: 2.5 }), 'videos/v-1/clips/1000-2500/index.m3u8');
    assert.deepEqual(parseGeneratedPlaylistPath(`${REC}clips/0-1000/720p30/playlist.m3u8`), {
      kind: 'clip',
      source: mediaSourceOf(REC),
      folder: '0-1000',
      file: '720p30/playlist.m3u8',
    });
    for (const path of [
      'videos/v-1/hls/index.m3u8',
      'videos/v-1/clips/0-1000/',
      'videos/v-1/manifest/x.m3u8',
    ]) {
      assert.equal(parseGeneratedPlaylistPath(path), undefined, path);
    }
  });

  it('reads back the range of any clip folder it names, in whole milliseconds', () => {
    fc.assert(
      fc.property(fc.nat(999_999_999), fc.nat(999_999_999), (startMs, endMs) => {
        const range = { start: startMs / 1000, end: endMs / 1000 };
        assert.deepEqual(parseClipFolderName(clipFolderName(range)), range);
      }),
    );
    for (const folder of ['1-', '-1', '1.5-2', 'a-b', '1-2-3', '1234567890-1']) {
      assert.equal(parseClipFolderName(folder), undefined, folder);
    }
  });
});

describe("IVS's recording layout", () => {
  it('names a recording as IVS documents it: unpadded UTC date parts to the minute', () => {
    const prefix = recordingKeyPrefix({
      accountId: '123456789012',
      channelId: 'AsXego4U6tnj',
      startedAt: new Date('2020-06-23T20:12:44Z'),
      recordingId: 'j8Z9O91ndcVs',
    });
    assert.equal(prefix, IVS_EXAMPLE);
    assert.deepEqual(parseRecordingPrefix(prefix), {
      accountId: '123456789012',
      channelId: 'AsXego4U6tnj',
      startedAt: new Date('2020-06-23T20:12:00Z'),
      recordingId: 'j8Z9O91ndcVs',
      prefix: `${IVS_EXAMPLE}/`,
    });
    assert.equal(parseRecordingPrefix(`${IVS_EXAMPLE}/`)?.prefix, `${IVS_EXAMPLE}/`);
  });

  it('reads back any recording prefix it builds', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{12}$/),
        fc.stringMatching(/^[A-Za-z0-9]{12}$/),
        fc.date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2999-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        fc.stringMatching(/^[A-Za-z0-9]{12}$/),
        (accountId, channelId, at, recordingId) => {
          const startedAt = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
          const prefix = recordingKeyPrefix({ accountId, channelId, startedAt, recordingId });
          assert.deepEqual(parseRecordingPrefix(prefix), {
            accountId,
            channelId,
            startedAt,
            recordingId,
            prefix: `${prefix}/`,
          });
          assert.ok(matchesPathPattern(MEDIA_PATH_PATTERNS.recordingFiles, `${prefix}/x`));
        },
      ),
    );
  });

  it('names the files IVS writes in a recording', () => {
    assert.equal(recordingEndedKey(`${IVS_EXAMPLE}/`), `${IVS_EXAMPLE}/events/recording-ended.json`);
    assert.equal(recordingMultivariantKey(IVS_EXAMPLE), `${IVS_EXAMPLE}/media/hls/master.m3u8`);
    assert.equal(
      recordingRenditionPlaylistKey(IVS_EXAMPLE, '720p30'),
      `${IVS_EXAMPLE}/media/hls/720p30/playlist.m3u8`,
    );
    assert.equal(recordingSegmentKey(IVS_EXAMPLE, '720p30', 12), `${IVS_EXAMPLE}/media/hls/720p30/12.ts`);
    assert.equal(recordingThumbnailsPrefix(IVS_EXAMPLE), `${IVS_EXAMPLE}/media/thumbnails/`);
    const folder = `${IVS_EXAMPLE}/${RECORDING_FILES.thumbnailsFolder}`;
    assert.equal(recordingThumbnailKey(folder, 3), `${folder}/thumb3.jpg`);
    assert.equal(recordingThumbnailTemplate(folder), `${folder}/thumb{index}.jpg`);
    assert.equal(recordingThumbnailIndex(folder, `${folder}/thumb3.jpg`), 3);
    assert.equal(recordingThumbnailIndex(folder, `${folder}/thumb3.png`), undefined);
    assert.equal(recordingThumbnailIndex(folder, `${IVS_EXAMPLE}/other/thumb3.jpg`), undefined);
  });

  it('names live HLS as IVS does, and reads live playback paths back', () => {
    assert.equal(ivsHlsNames.renditionPlaylist('720p30'), '720p30/playlist.m3u8');
    assert.equal(ivsHlsNames.segment('720p30', 7), '720p30/7.ts');
    assert.equal(ivsHlsNames.thumbnail(3), 'thumb3.jpg');
    assert.equal(ivsSegmentIndex('7.ts'), 7);
    assert.equal(ivsSegmentIndex('7.aac'), undefined);
    assert.equal(ivsThumbnailIndex('thumb3.jpg'), 3);
    assert.equal(ivsThumbnailIndex('thumb.jpg'), undefined);
    assert.deepEqual(parseLivePlaybackPath(livePlaybackPath('AbCd1234')), {
      channelId: 'AbCd1234',
      file: 'multivariant',
    });
    assert.deepEqual(parseLivePlaybackPath(`AbCd1234/${ivsHlsNames.renditionPlaylist('720p30')}`), {
      channelId: 'AbCd1234',
      file: 'rendition',
      rendition: '720p30',
    });
    assert.deepEqual(parseLivePlaybackPath(`AbCd1234/${ivsHlsNames.segment('720p30', 7)}`), {
      channelId: 'AbCd1234',
      file: 'segment',
      rendition: '720p30',
      index: 7,
    });
    for (const path of [
      'AbCd1234/../master.m3u8',
      'AbCd1234/720p30/x.ts',
      '/AbCd1234/master.m3u8',
      'a/b/c/1.ts',
    ]) {
      assert.equal(parseLivePlaybackPath(path), undefined, path);
    }
  });

  it('refuses prefixes outside the layout', () => {
    for (const prefix of [
      '',
      'ivs/',
      'ivs/v1/',
      'ivs/v1/123456789012/AbCdEf/',
      'ivs/v1/too/short',
      'ivs/v1/12345/AbCdEf/2026/3/1/10/0/rec123',
      'ivs/v1/123456789012/AbCdEf/2026/3/1/24/0/rec123',
      'ivs/v1/123456789012/AbCdEf/2026/3/1/10/0/rec123/media',
      'ivs/v1/123456789012/AbCdEf/2026/3/1/10/0/..',
      'ivs/v1/123456789012/../2026/3/1/10/0/rec123',
      'videos/v-1/',
    ]) {
      assert.equal(parseRecordingPrefix(prefix), undefined, prefix);
    }
    assert.throws(
      () => recordingKeyPrefix({ accountId: '1', channelId: 'c', startedAt: new Date(), recordingId: 'r' }),
      MediaLayoutError,
    );
  });
});

describe("MediaConvert's output names", () => {
  it('names and recognises playlists, segments and frame captures', () => {
    assert.equal(mediaConvertNames.playlist('index_720p'), 'index_720p.m3u8');
    assert.equal(mediaConvertNames.capture('thumb', 41), 'thumb.0000041.jpg');
    assert.equal(mediaConvertNames.segmentPattern('index_720p', 'ts'), 'index_720p_%05d.ts');
    assert.equal(mediaConvertNames.capturePattern('thumb'), 'thumb.%07d.jpg');
    assert.ok(isMediaConvertFile('index_720p', 'index_720p.m3u8', 'hls'));
    assert.ok(isMediaConvertFile('index_720p', 'index_720p_00001.ts', 'hls'));
    assert.ok(isMediaConvertFile('index_audio', 'index_audio_00012.aac', 'hls'));
    assert.ok(!isMediaConvertFile('index_720p', 'index_720p_1.ts', 'hls'));
    assert.ok(!isMediaConvertFile('index', 'index_720p.m3u8', 'hls'));
    assert.ok(isMediaConvertFile('thumb', 'thumb.0000041.jpg', 'capture'));
    assert.ok(!isMediaConvertFile('thumb', 'thumb.41.jpg', 'capture'));
    assert.equal(renditionOfPlaylistKey('videos/v-1/hls/index_720p.m3u8'), '720p');
    assert.equal(renditionOfPlaylistKey('videos/v-1/hls/index.m3u8'), undefined);
  });

  it('reads the number of a frame capture and makes a template of its key', () => {
    assert.deepEqual(parseCaptureKey('videos/v-1/thumbnails/thumb.0000041.jpg'), {
      index: 41,
      template: 'videos/v-1/thumbnails/thumb.{index}.jpg',
    });
    assert.equal(parseCaptureKey('videos/v-1/thumbnails/thumb.jpg'), undefined);
  });

  it('reads s3:// URIs back', () => {
    assert.equal(s3Uri('media', videoOutputDestination('v-1', 'hls')), 's3://media/videos/v-1/hls/index');
    assert.deepEqual(parseS3Uri('s3://media/videos/v-1/hls/index.m3u8'), {
      bucket: 'media',
      key: 'videos/v-1/hls/index.m3u8',
    });
    assert.deepEqual(parseS3Uri('s3://media'), { bucket: 'media', key: '' });
    assert.equal(parseS3Uri('https://media/videos/v-1'), undefined);
  });
});

describe('the media distribution', () => {
  it('sends each kind of path to its pattern, all under the media prefixes', () => {
    const source = mediaSourceOf(videoPlaylistKey('v-1'));
    assert.ok(source);
    const recording = mediaSourceOf(REC);
    assert.ok(recording);
    const cases: [string, keyof typeof MEDIA_PATH_PATTERNS][] = [
      [filteredPlaylistPath(source), 'videoFilteredPlaylists'],
      [filteredPlaylistPath(recording), 'recordingFilteredPlaylists'],
      [clipPlaylistPath(source, { start: 0, end: 1 }), 'videoClipPlaylists'],
      [clipPlaylistPath(recording, { start: 0, end: 1 }), 'recordingClipPlaylists'],
      [videoPlaylistKey('v-1'), 'videoPlaylists'],
      ['videos/v-1/hls/index_720p_00001.ts', 'videoSegments'],
      ['videos/v-1/thumbnails/thumb.0000000.jpg', 'videoThumbnails'],
      ['videos/v-1/poster/poster.0000001.jpg', 'videoPosters'],
      [recordingMultivariantKey(REC), 'recordingPlaylists'],
      [recordingSegmentKey(REC, '720p30', 0), 'recordingFiles'],
    ];
    for (const [path, pattern] of cases) {
      assert.ok(matchesPathPattern(MEDIA_PATH_PATTERNS[pattern], path), `${pattern}: ${path}`);
      assert.ok(
        MEDIA_PATH_PREFIXES.some((prefix) => `/${path}`.startsWith(prefix)),
        path,
      );
    }
  });
});
