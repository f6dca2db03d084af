/**
 * Every audio container createUpload accepts, made by ffmpeg, through what the pipeline does with it: the
 * contract accepts its name and type, the submit function's first-bytes sniff recognises it, and the
 * MediaConvert emulator, given the job the submit function builds from its Probe, completes an audio-only
 * HLS stream of AAC from it (the job-state function then makes the video READY with `audioOnly`).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateJobCommand, ProbeCommand } from '@aws-sdk/client-mediaconvert';
import { uploadKey } from '../../../lambdas/contract/media-layout.ts';
import { acceptedMediaContentType } from '../../../lambdas/contract/media-types.ts';
import { sourceMediaFromTracks } from '../../../lambdas/transcoding/aws-adapters.ts';
import { buildTranscodeJob } from '../../../lambdas/transcoding/job.ts';
import { buildLadder } from '../../../lambdas/transcoding/ladder.ts';
import { SNIFF_BYTES, sniffContainer } from '../../../lambdas/transcoding/sniff.ts';
import { type Harness, startHarness } from './harness.ts';
import { parseMediaPlaylist, parseMultivariant } from './media.ts';

const run = promisify(execFile);
const ROLE = 'arn:aws:iam::123456789012:role/skycast-it-mediaconvert';

/** File name, the type a browser reports for it, ffmpeg's audio encoder, and what the sniff calls it. */
const CONTAINERS = [
  { name: 'audio-only.m4a', type: 'audio/mp4', codec: ['-c:a', 'aac'], format: 'mp4' },
  { name: 'song.mp3', type: 'audio/mpeg', codec: ['-c:a', 'libmp3lame'], format: 'mp3' },
  { name: 'take.wav', type: 'audio/wav', codec: ['-c:a', 'pcm_s16le'], format: 'wav' },
  { name: 'master.flac', type: 'audio/flac', codec: ['-c:a', 'flac'], format: 'flac' },
  { name: 'podcast.ogg', type: 'audio/ogg', codec: ['-c:a', 'libvorbis'], format: 'ogg' },
  { name: 'memo.opus', type: 'audio/ogg', codec: ['-c:a', 'libopus'], format: 'ogg' },
] as const;

async function firstBytes(path: string): Promise<Uint8Array> {
  const file = await open(path);
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await file.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

describe('audio uploads: every accepted container becomes an audio-only HLS stream', () => {
  let harness: Harness;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(os.tmpdir(), 'skycast-audio-it-'));
    harness = await startHarness({ statusUpdateSeconds: 0.5 });
  });
  after(async () => {
    await harness?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const container of CONTAINERS) {
    it(`${container.name} (${container.type})`, async () => {
      const path = join(dir, container.name);
      await run('ffmpeg', [
        ...['-hide_banner', '-v', 'error', '-y'],
        ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=3'],
        ...container.codec,
        path,
      ]);

      assert.equal(acceptedMediaContentType(container.name, container.type), container.type);
      assert.equal(acceptedMediaContentType(container.name, ''), container.type);
      assert.deepEqual(sniffContainer(await firstBytes(path)), { supported: true, format: container.format });

      const videoId = randomUUID();
      const key = uploadKey('u-1', videoId, container.name);
      assert.ok(
        key.endsWith(`/source.${container.name.split('.').pop()}`),
        'the original keeps its extension',
      );
      const source = await harness.upload(path, key);
      const probe = await harness.mediaConvert.send(new ProbeCommand({ InputFiles: [{ FileUrl: source }] }));
      const media = sourceMediaFromTracks(probe.ProbeResults?.[0]?.Container?.Tracks ?? []);
      assert.ok(media, 'the probe found the audio');
      const ladder = buildLadder(media);
      assert.equal(ladder.renditions.length, 0, 'no picture, no video renditions');
      const request = buildTranscodeJob({
        application: 'skycast-it',
        videoId,
        ownerId: 'u-1',
        source,
        mediaBucket: harness.mediaBucket,
        roleArn: ROLE,
        ladder,
      });
      const { Job } = await harness.mediaConvert.send(new CreateJobCommand(request));
      assert.ok(Job?.Id);

      const end = await harness.waitForEnd(Job.Id);

      assert.equal(end.detail.status, 'COMPLETE', end.detail.errorMessage);
      const prefix = `videos/${videoId}/hls`;
      const variants = parseMultivariant(await harness.readText(harness.mediaBucket, `${prefix}/index.m3u8`));
      assert.deepEqual(
        variants.map((v) => [v.uri, v.attributes.CODECS, v.attributes.RESOLUTION]),
        [['index_audio.m3u8', 'mp4a.40.2', undefined]],
      );
      const playlist = parseMediaPlaylist(
        await harness.readText(harness.mediaBucket, `${prefix}/index_audio.m3u8`),
      );
      const seconds = playlist.segments.reduce((sum, segment) => sum + segment.duration, 0);
      assert.ok(Math.abs(seconds - 3) < 0.2, `about 3 s of sound (${seconds} s)`);
    });
  }
});
