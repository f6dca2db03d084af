import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { SQSRecord } from 'aws-lambda';
import { sourceMediaFromTracks } from '../../../lambdas/transcoding/aws-adapters.ts';
import { describeJobError, readVariants } from '../../../lambdas/transcoding/job-events.ts';
import { idempotencyToken } from '../../../lambdas/transcoding/submit-upload.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/events/${name}`, import.meta.url), 'utf8');

describe('readVariants', () => {
  it('reads bandwidth and resolution of each variant by file name', () => {
    const variants = readVariants(
      [
        '#EXTM3U',
        '#EXT-X-STREAM-INF:AVERAGE-BANDWIDTH=900000,BANDWIDTH=1200000,RESOLUTION=852x480,CODECS="avc1.4d401f"',
        'index_480p.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=128000,CODECS="mp4a.40.2"',
        '',
        'audio/index_audio.m3u8',
      ].join('\r\n'),
    );

    assert.deepEqual(Object.fromEntries(variants), {
      'index_480p.m3u8': { bandwidth: 1_200_000, width: 852, height: 480 },
      'index_audio.m3u8': { bandwidth: 128_000 },
    });
  });
});

describe('describeJobError', () => {
  it('explains input errors in words and keeps MediaConvert’s detail', () => {
    assert.equal(
      describeJobError(1010, "Can't find moov atom"),
      "We could not read this video: it may be damaged, incomplete or in a format we cannot decode (Can't find moov atom).",
    );
  });

  it('does not blame the file for failures that are not the input’s (S3 writes, unknown errors)', () => {
    for (const code of [1517, 1999, 1040]) {
      const reason = describeJobError(code, 'detail');
      assert.doesNotMatch(reason, /could not read this video/, `error ${code}`);
      assert.equal(reason, `Transcoding failed with error ${code} (detail). Try uploading the file again.`);
    }
    assert.match(describeJobError(1076, 'truncated'), /could not read this video/);
  });

  it('names the code of other failures', () => {
    assert.equal(
      describeJobError(3450, undefined),
      'Transcoding failed with error 3450. Try uploading the file again.',
    );
  });
});

describe('sourceMediaFromTracks', () => {
  it('takes the picture size, rotation and whether there is sound', () => {
    assert.deepEqual(
      sourceMediaFromTracks([
        { TrackType: 'video', VideoProperties: { Width: 1920, Height: 1080, Rotation: -90 } },
        { TrackType: 'audio', AudioProperties: { Channels: 2 } },
      ]),
      { hasAudio: true, video: { width: 1920, height: 1080, rotation: 270 } },
    );
  });

  it('treats odd rotations as none, and knows audio-only and empty files', () => {
    assert.deepEqual(
      sourceMediaFromTracks([
        { TrackType: 'video', VideoProperties: { Width: 640, Height: 480, Rotation: 45 } },
      ]),
      { hasAudio: false, video: { width: 640, height: 480, rotation: 0 } },
    );
    assert.deepEqual(sourceMediaFromTracks([{ TrackType: 'audio' }]), { hasAudio: true });
    assert.equal(sourceMediaFromTracks([{ TrackType: 'data' }]), undefined);
  });
});

describe('uploadedObjects', async () => {
  process.env.CATALOG_TABLE_NAME ??= 'unit';
  process.env.MEDIA_BUCKET_NAME ??= 'unit';
  process.env.MEDIACONVERT_ROLE_ARN ??= 'arn:aws:iam::123456789012:role/unit';
  process.env.APPLICATION_NAME ??= 'unit';
  process.env.AWS_REGION ??= 'us-east-1';
  const { uploadedObjects } = await import('../../../lambdas/transcoding/submit.ts');
  const record = (body: string) => ({ messageId: 'm', body }) as SQSRecord;

  it('reads bucket, decoded key, size and etag from an S3 event notification', () => {
    const event = JSON.parse(fixture('s3-object-created.json'));
    event.Records[0].s3.object.key = 'uploads/u/v/My+Holiday%21.mp4';

    assert.deepEqual(uploadedObjects(record(JSON.stringify(event))), [
      {
        bucket: 'skycast-dev-uploads',
        key: 'uploads/u/v/My Holiday!.mp4',
        size: 73400320,
        etag: 'b0a7c6f1d2e3f4a5b6c7d8e9f0a1b2c3-14',
      },
    ]);
  });

  it('returns nothing for the test event S3 sends when notifications are configured', () => {
    assert.deepEqual(uploadedObjects(record(fixture('s3-test-event.json'))), []);
  });

  it('throws on a message that is not an S3 event, so it is retried and ends in the dead-letter queue', () => {
    assert.throws(() => uploadedObjects(record('{"hello":"world"}')), /not an S3 event notification/);
    assert.throws(() => uploadedObjects(record('not json')));
  });
});

describe('idempotencyToken', () => {
  it('is stable for one object version and differs for another', () => {
    const object = { bucket: 'b', key: 'uploads/u/v/source.mp4', size: 1, etag: 'e1' };

    assert.equal(idempotencyToken(object), idempotencyToken({ ...object }));
    assert.notEqual(idempotencyToken(object), idempotencyToken({ ...object, etag: 'e2' }));
    assert.ok(idempotencyToken(object).length <= 64);
  });
});
