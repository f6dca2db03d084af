import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  NoSuchUpload,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3VideoFiles } from '../../../lambdas/catalog/s3-video-files.ts';

const client = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const s3 = mockClient(client);
const files = new S3VideoFiles(client, {
  media: 'skycast-media',
  uploads: 'skycast-uploads',
  recordings: 'skycast-recordings',
});

const keys = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ Key: `videos/v-1/hls/segment_${from + i}.ts` }));

describe('S3VideoFiles', () => {
  beforeEach(() => s3.reset());

  it("deletes every page of the video's media, 1,000 keys per request, and only under its own prefix", async () => {
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined }).resolves({
      Contents: keys(0, 1000),
      IsTruncated: true,
      NextContinuationToken: 'page-2',
    });
    s3.on(ListObjectsV2Command, { ContinuationToken: 'page-2' }).resolves({
      Contents: keys(1000, 3),
      IsTruncated: false,
    });
    s3.on(DeleteObjectsCommand).resolves({});

    const deleted = await files.deleteMedia('v-1');

    assert.equal(deleted, 1003);
    for (const call of s3.commandCalls(ListObjectsV2Command)) {
      assert.equal(call.args[0].input.Bucket, 'skycast-media');
      assert.equal(call.args[0].input.Prefix, 'videos/v-1/', 'the slash keeps video v-10 out');
    }
    const batches = s3.commandCalls(DeleteObjectsCommand).map((call) => call.args[0].input);
    assert.deepEqual(
      batches.map((batch) => batch.Delete?.Objects?.length),
      [1000, 3],
    );
    assert.equal(batches[1]?.Delete?.Objects?.[2]?.Key, 'videos/v-1/hls/segment_1002.ts');
    assert.ok(batches.every((batch) => batch.Bucket === 'skycast-media'));
  });

  it('does nothing more for a video without media', async () => {
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 0, IsTruncated: false });

    assert.equal(await files.deleteMedia('v-1'), 0);
    assert.equal(s3.commandCalls(DeleteObjectsCommand).length, 0);
  });

  it('fails when S3 could not delete some of the objects, so the video stays to be deleted again', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: keys(0, 2), IsTruncated: false });
    s3.on(DeleteObjectsCommand).resolves({
      Errors: [{ Key: 'videos/v-1/hls/segment_1.ts', Code: 'AccessDenied', Message: 'Access Denied' }],
    });

    await assert.rejects(
      files.deleteMedia('v-1'),
      /Could not delete 1 object\(s\) of video v-1: AccessDenied/,
    );
  });

  it('deletes the original, aborting its multipart upload first when it has one', async () => {
    s3.on(AbortMultipartUploadCommand).rejects(new NoSuchUpload({ message: 'gone', $metadata: {} }));
    s3.on(DeleteObjectCommand).resolves({});

    await files.deleteOriginal('uploads/alice/v-1/source.mp4', 'up-1');
    await files.deleteOriginal('uploads/alice/v-2/source.mp4');

    assert.deepEqual(s3.commandCalls(AbortMultipartUploadCommand)[0]?.args[0].input, {
      Bucket: 'skycast-uploads',
      Key: 'uploads/alice/v-1/source.mp4',
      UploadId: 'up-1',
    });
    assert.equal(s3.commandCalls(AbortMultipartUploadCommand).length, 1);
    assert.deepEqual(
      s3.commandCalls(DeleteObjectCommand).map((call) => call.args[0].input),
      [
        { Bucket: 'skycast-uploads', Key: 'uploads/alice/v-1/source.mp4' },
        { Bucket: 'skycast-uploads', Key: 'uploads/alice/v-2/source.mp4' },
      ],
    );
  });

  it("deletes a recording under its own prefix in the recordings bucket, and nothing that is not a recording's", async () => {
    const prefix = 'ivs/v1/123456789012/AbCdEf/2026/11/21/10/5/rec-1/';
    s3.on(ListObjectsV2Command).resolves({
      Contents: [{ Key: `${prefix}media/hls/master.m3u8` }, { Key: `${prefix}events/recording-ended.json` }],
      IsTruncated: false,
    });
    s3.on(DeleteObjectsCommand).resolves({});

    assert.equal(await files.deleteRecording(prefix), 2);
    assert.deepEqual(s3.commandCalls(ListObjectsV2Command)[0]?.args[0].input, {
      Bucket: 'skycast-recordings',
      Prefix: prefix,
      ContinuationToken: undefined,
    });
    assert.equal(s3.commandCalls(DeleteObjectsCommand)[0]?.args[0].input.Bucket, 'skycast-recordings');

    for (const wrong of [
      '',
      'ivs/',
      'ivs/v1/',
      'ivs/v1/123456789012/AbCdEf/',
      'videos/v-1/',
      `${prefix}media/`,
    ]) {
      await assert.rejects(files.deleteRecording(wrong), /Not a recording prefix/);
    }
    assert.equal(s3.commandCalls(ListObjectsV2Command).length, 1);
  });
});
