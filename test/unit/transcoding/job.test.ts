import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CreateJobRequest, Output } from '@aws-sdk/client-mediaconvert';
import { buildTranscodeJob } from '../../../lambdas/transcoding/job.ts';
import {
  buildLadder,
  GOP_SECONDS,
  MIN_FINAL_SEGMENT_SECONDS,
  SEGMENT_SECONDS,
  type SourceMedia,
} from '../../../lambdas/transcoding/ladder.ts';

const job = (source: SourceMedia): CreateJobRequest =>
  buildTranscodeJob({
    application: 'skycast-test',
    videoId: 'v-123',
    ownerId: 'u-9',
    source: 's3://uploads/u-9/v-123/original.mp4',
    mediaBucket: 'media',
    roleArn: 'arn:aws:iam::123456789012:role/skycast-mediaconvert',
    ladder: buildLadder(source),
  });

const group = (request: CreateJobRequest, name: string) =>
  request.Settings?.OutputGroups?.find((g) => g.Name === name);
const hlsOutputs = (request: CreateJobRequest): Output[] => group(request, 'HLS')?.Outputs ?? [];

/** Ranges AWS documents for the MediaConvert settings we use. */
function assertWithinDocumentedLimits(request: CreateJobRequest) {
  for (const g of request.Settings?.OutputGroups ?? []) {
    for (const output of g.Outputs ?? []) {
      const description = output.VideoDescription;
      if (description) {
        for (const side of [description.Width, description.Height]) {
          assert.ok(side !== undefined && side >= 32 && side <= 8192 && side % 2 === 0, `size ${side}`);
        }
      }
      const h264 = description?.CodecSettings?.H264Settings;
      if (h264) {
        assert.ok((h264.MaxBitrate ?? 0) >= 1000 && (h264.MaxBitrate ?? 0) <= 1_152_000_000);
        const quality = h264.QvbrSettings?.QvbrQualityLevel ?? 0;
        assert.ok(quality >= 1 && quality <= 10);
        assert.equal(h264.RateControlMode, 'QVBR');
      }
      const capture = description?.CodecSettings?.FrameCaptureSettings;
      if (capture) {
        assert.ok((capture.MaxCaptures ?? 0) >= 1 && (capture.MaxCaptures ?? 0) <= 10_000_000);
        assert.ok((capture.Quality ?? 0) >= 1 && (capture.Quality ?? 0) <= 100);
      }
      for (const audio of output.AudioDescriptions ?? []) {
        const aac = audio.CodecSettings?.AacSettings;
        assert.ok(aac && [32000, 44100, 48000].includes(aac.SampleRate ?? 0));
        assert.ok((aac.Bitrate ?? 0) >= 64000 && (aac.Bitrate ?? 0) <= 320000);
      }
    }
  }
}

describe('buildTranscodeJob', () => {
  it('encodes every rung of the ladder into one HLS group with aligned 2-second GOPs', () => {
    const request = job({ video: { width: 1920, height: 1080, rotation: 0 }, hasAudio: true });

    const outputs = hlsOutputs(request);
    assert.deepEqual(
      outputs.map((o) => o.NameModifier),
      ['_1080p', '_720p', '_480p', '_360p'],
    );
    for (const output of outputs) {
      const h264 = output.VideoDescription?.CodecSettings?.H264Settings;
      assert.equal(h264?.GopSize, GOP_SECONDS);
      assert.equal(h264?.GopSizeUnits, 'SECONDS');
      assert.equal(h264?.GopClosedCadence, 1);
    }
    const hls = group(request, 'HLS')?.OutputGroupSettings?.HlsGroupSettings;
    assert.equal(hls?.SegmentLength, SEGMENT_SECONDS);
    assert.equal(SEGMENT_SECONDS % GOP_SECONDS, 0);
    assert.equal(hls?.Destination, 's3://media/videos/v-123/hls/index');
    assertWithinDocumentedLimits(request);
  });

  it('joins a runt final segment to the one before (MinFinalSegmentLength within AWS limits)', () => {
    const request = job({ video: { width: 1280, height: 720, rotation: 0 }, hasAudio: true });

    const hls = group(request, 'HLS')?.OutputGroupSettings?.HlsGroupSettings;

    // AWS: a value of at least 1 and less than the segment length; 0 (the default) keeps runts.
    assert.equal(hls?.MinFinalSegmentLength, MIN_FINAL_SEGMENT_SECONDS);
    assert.ok(MIN_FINAL_SEGMENT_SECONDS >= 1 && MIN_FINAL_SEGMENT_SECONDS < SEGMENT_SECONDS);
  });

  it('muxes AAC audio into every rendition and selects the source audio', () => {
    const request = job({ video: { width: 1280, height: 720, rotation: 0 }, hasAudio: true });

    for (const output of hlsOutputs(request)) {
      assert.equal(output.AudioDescriptions?.[0]?.CodecSettings?.Codec, 'AAC');
    }
    assert.ok(request.Settings?.Inputs?.[0]?.AudioSelectors?.['Audio Selector 1']);
  });

  it('builds a valid job without audio for a silent source', () => {
    const request = job({ video: { width: 1280, height: 720, rotation: 0 }, hasAudio: false });

    for (const output of hlsOutputs(request)) assert.equal(output.AudioDescriptions, undefined);
    assert.equal(request.Settings?.Inputs?.[0]?.AudioSelectors, undefined);
    assertWithinDocumentedLimits(request);
  });

  it('lets MediaConvert honour rotation and writes portrait renditions', () => {
    const request = job({ video: { width: 1920, height: 1080, rotation: 90 }, hasAudio: true });

    assert.equal(request.Settings?.Inputs?.[0]?.VideoSelector?.Rotate, 'AUTO');
    const top = hlsOutputs(request)[0]?.VideoDescription;
    assert.deepEqual([top?.Width, top?.Height], [1080, 1920]);
    assertWithinDocumentedLimits(request);
  });

  it('captures thumbnails and a poster no larger than the top rendition', () => {
    const request = job({ video: { width: 640, height: 360, rotation: 0 }, hasAudio: true });

    const thumbnails = group(request, 'thumbnails');
    const poster = group(request, 'poster');
    assert.equal(
      thumbnails?.OutputGroupSettings?.FileGroupSettings?.Destination,
      's3://media/videos/v-123/thumbnails/thumb',
    );
    assert.equal(poster?.Outputs?.[0]?.VideoDescription?.Width, 640);
    assert.equal(poster?.Outputs?.[0]?.VideoDescription?.Height, 360);
    assertWithinDocumentedLimits(request);
  });

  it('makes an audio-only HLS stream, with no frame captures, for a source without a picture', () => {
    const request = job({ hasAudio: true });

    assert.deepEqual(
      request.Settings?.OutputGroups?.map((g) => g.Name),
      ['HLS'],
    );
    assert.equal(hlsOutputs(request)[0]?.VideoDescription, undefined);
    assertWithinDocumentedLimits(request);
  });

  it('tags the job with the video and owner so completion events find their video', () => {
    const request = job({ video: { width: 1920, height: 1080, rotation: 0 }, hasAudio: true });

    assert.deepEqual(request.UserMetadata, { application: 'skycast-test', videoId: 'v-123', ownerId: 'u-9' });
    assert.equal(request.Role, 'arn:aws:iam::123456789012:role/skycast-mediaconvert');
    assert.equal(request.Settings?.Inputs?.[0]?.FileInput, 's3://uploads/u-9/v-123/original.mp4');
  });
});
