import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateJobCommand, GetJobCommand, ProbeCommand } from '@aws-sdk/client-mediaconvert';
import { MediaConvertJobStateChangeSchema } from '../../../lambdas/contract/events/mediaconvert.ts';
import { describeProblems } from '../../../lambdas/shared/events.ts';
import { sourceMediaFromTracks } from '../../../lambdas/transcoding/aws-adapters.ts';
import { buildTranscodeJob } from '../../../lambdas/transcoding/job.ts';
import { buildLadder, type Ladder } from '../../../lambdas/transcoding/ladder.ts';
import type { JobStateChangeEvent } from '../../../local/mediaconvert/index.ts';
import { type Harness, startHarness } from './harness.ts';
import {
  halvesBrightness,
  keyframeTimes,
  makeSources,
  parseMediaPlaylist,
  parseMultivariant,
  probeFile,
  type Sources,
} from './media.ts';

const ROLE = 'arn:aws:iam::123456789012:role/skycast-it-mediaconvert';

describe('MediaConvert emulator: transcoding with the real SDK client', () => {
  let harness: Harness;
  let sources: Sources;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(os.tmpdir(), 'skycast-mc-it-'));
    [harness, sources] = await Promise.all([startHarness({ statusUpdateSeconds: 0.5 }), makeSources(dir)]);
  });
  after(async () => {
    await harness?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Uploads a file, probes it, builds the job from the ladder as the submit function does, and submits it. */
  async function submit(path: string, ladderOverride?: Ladder) {
    const videoId = randomUUID();
    const source = await harness.upload(path, `uploads/u-1/${videoId}/${basename(path)}`);
    // As the submit function does: MediaConvert's Probe, its tracks as the ladder wants them, the ladder.
    let ladder = ladderOverride;
    if (!ladder) {
      const probe = await harness.mediaConvert.send(new ProbeCommand({ InputFiles: [{ FileUrl: source }] }));
      const media = sourceMediaFromTracks(probe.ProbeResults?.[0]?.Container?.Tracks ?? []);
      assert.ok(media, 'the probe found video or audio');
      ladder = buildLadder(media);
    }
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
    assert.ok(Job?.Id, 'CreateJob returns the job');
    return { jobId: Job.Id, videoId, ladder, prefix: `videos/${videoId}` };
  }

  function assertProgressRises(events: JobStateChangeEvent[]) {
    // What the job-state function will accept: the contract's schema of the event.
    for (const event of events) {
      const parsed = MediaConvertJobStateChangeSchema.safeParse(event);
      assert.ok(
        parsed.success,
        `${event.detail.status}: ${parsed.success ? '' : describeProblems(parsed.error)}`,
      );
    }
    const statuses = events.map((event) => event.detail.status);
    assert.equal(statuses[0], 'PROGRESSING');
    assert.equal(statuses.filter((s) => ['COMPLETE', 'ERROR', 'CANCELED'].includes(s)).length, 1);
    const percents = events.flatMap((event) =>
      event.detail.jobProgress ? [event.detail.jobProgress.jobPercentComplete] : [],
    );
    for (let i = 1; i < percents.length; i++) {
      assert.ok(
        (percents[i] as number) >= (percents[i - 1] as number),
        `progress went back: ${percents.join(', ')}`,
      );
    }
  }

  it('transcodes a 720p upload into an HLS ladder whose GOPs align, with thumbnails and a poster', async () => {
    const { jobId, videoId, ladder, prefix } = await submit(sources.landscape);
    assert.deepEqual(
      ladder.renditions.map((r) => `${r.width}x${r.height}`),
      ['1280x720', '852x480', '640x360'],
    );

    const end = await harness.waitForEnd(jobId);

    assert.equal(end.detail.status, 'COMPLETE', end.detail.errorMessage);
    assert.equal(end.source, 'aws.mediaconvert');
    assert.equal(end['detail-type'], 'MediaConvert Job State Change');
    assert.deepEqual(end.resources, [
      `arn:aws:mediaconvert:${harness.aws.resources.region}:123456789012:jobs/${jobId}`,
    ]);
    assert.equal(end.detail.accountId, end.account);
    assert.match(end.detail.queue, /:queues\/Default$/);
    assert.deepEqual(end.detail.userMetadata, { application: 'skycast-it', videoId, ownerId: 'u-1' });
    const events = harness.eventsOf(jobId);
    assertProgressRises(events);
    const updates = events.filter((e) => e.detail.status === 'STATUS_UPDATE');
    assert.ok(updates.length >= 1, 'at least one STATUS_UPDATE while the job ran');
    assert.ok(
      updates.every((u) =>
        ['PROBING', 'TRANSCODING', 'UPLOADING'].includes(u.detail.jobProgress?.currentPhase ?? ''),
      ),
    );

    const [hls, thumbnails, poster] = end.detail.outputGroupDetails ?? [];
    const media = `s3://${harness.mediaBucket}/${prefix}`;
    assert.equal(hls?.type, 'HLS_GROUP');
    assert.deepEqual(hls?.playlistFilePaths, [`${media}/hls/index.m3u8`]);
    assert.deepEqual(
      hls?.outputDetails.map((o) => [
        o.outputFilePaths[0],
        o.videoDetails?.widthInPx,
        o.videoDetails?.heightInPx,
      ]),
      [
        [`${media}/hls/index_720p.m3u8`, 1280, 720],
        [`${media}/hls/index_480p.m3u8`, 852, 480],
        [`${media}/hls/index_360p.m3u8`, 640, 360],
      ],
    );
    for (const output of hls?.outputDetails ?? [])
      assert.ok(Math.abs(output.durationInMs - 8000) <= 100, `${output.durationInMs} ms`);
    // 8 s at one capture every 5 s: 0 s and 5 s. The poster: two captures, 3 s apart.
    assert.deepEqual(thumbnails?.outputDetails[0]?.outputFilePaths, [
      `${media}/thumbnails/thumb.0000001.jpg`,
    ]);
    assert.deepEqual(poster?.outputDetails[0]?.outputFilePaths, [`${media}/poster/poster.0000001.jpg`]);

    // The multivariant playlist names every rendition with its bandwidth, resolution and codecs.
    const variants = parseMultivariant(
      await harness.readText(harness.mediaBucket, `${prefix}/hls/index.m3u8`),
    );
    assert.deepEqual(
      variants.map((v) => [v.uri, v.attributes.RESOLUTION]),
      [
        ['index_720p.m3u8', '1280x720'],
        ['index_480p.m3u8', '852x480'],
        ['index_360p.m3u8', '640x360'],
      ],
    );
    for (const variant of variants) {
      assert.ok(Number(variant.attributes.BANDWIDTH) > 0);
      assert.ok(Number(variant.attributes['AVERAGE-BANDWIDTH']) <= Number(variant.attributes.BANDWIDTH));
      assert.match(variant.attributes.CODECS ?? '', /^avc1\.(64|4D)[0-9A-F]{4},mp4a\.40\.2$/);
    }
    assert.match(variants[0]?.attributes.CODECS ?? '', /^avc1\.64/, 'the 720p rung is High profile');
    assert.match(variants[2]?.attributes.CODECS ?? '', /^avc1\.4D/, 'the 360p rung is Main profile');

    // Every segment decodes at its rendition's size, with AAC stereo; keyframes fall on the same 2 s grid.
    const keyframesByRendition: number[][] = [];
    for (const [i, variant] of variants.entries()) {
      const rendition = ladder.renditions[i];
      const playlist = parseMediaPlaylist(
        await harness.readText(harness.mediaBucket, `${prefix}/hls/${variant.uri}`),
      );
      assert.deepEqual(
        playlist.segments.map((s) => s.uri),
        [`index_${rendition?.name}_00001.ts`, `index_${rendition?.name}_00002.ts`],
      );
      assert.ok(Math.abs((playlist.segments[0]?.duration ?? 0) - 6) < 0.05, 'segments are 6 s long');
      const keyframes: number[] = [];
      for (const segment of playlist.segments) {
        const local = join(dir, `${jobId}-${segment.uri}`);
        await writeFile(local, await harness.readBytes(harness.mediaBucket, `${prefix}/hls/${segment.uri}`));
        const facts = await probeFile(local);
        assert.deepEqual(facts.video, { width: rendition?.width, height: rendition?.height, codec: 'h264' });
        assert.deepEqual(facts.audio, { codec: 'aac', channels: 2, sampleRate: 48000 });
        keyframes.push(...(await keyframeTimes(local)));
      }
      keyframesByRendition.push(keyframes);
    }
    const reference = keyframesByRendition[0] ?? [];
    assert.equal(reference.length, 4, `keyframes every 2 s in 8 s: ${reference.join(', ')}`);
    for (const [i, time] of reference.entries()) {
      assert.ok(Math.abs(time - (reference[0] as number) - 2 * i) < 0.04, `keyframe ${i} at ${time}`);
    }
    for (const keyframes of keyframesByRendition.slice(1)) assert.deepEqual(keyframes, reference);

    const thumbs = await harness.listKeys(harness.mediaBucket, `${prefix}/thumbnails/`);
    assert.deepEqual(thumbs, [
      `${prefix}/thumbnails/thumb.0000000.jpg`,
      `${prefix}/thumbnails/thumb.0000001.jpg`,
    ]);
    const thumbPath = join(dir, `${jobId}-thumb.jpg`);
    await writeFile(thumbPath, await harness.readBytes(harness.mediaBucket, thumbs[1] as string));
    assert.deepEqual((await probeFile(thumbPath)).video, { width: 320, height: 180, codec: 'mjpeg' });
    const posters = await harness.listKeys(harness.mediaBucket, `${prefix}/poster/`);
    assert.deepEqual(posters, [`${prefix}/poster/poster.0000000.jpg`, `${prefix}/poster/poster.0000001.jpg`]);
    const posterPath = join(dir, `${jobId}-poster.jpg`);
    await writeFile(posterPath, await harness.readBytes(harness.mediaBucket, posters[1] as string));
    assert.deepEqual((await probeFile(posterPath)).video, { width: 1280, height: 720, codec: 'mjpeg' });

    const { Job } = await harness.mediaConvert.send(new GetJobCommand({ Id: jobId }));
    assert.equal(Job?.Status, 'COMPLETE');
    assert.equal(Job?.JobPercentComplete, 100);
    assert.deepEqual(
      Job?.OutputGroupDetails?.[0]?.OutputDetails?.map((o) => [
        o.VideoDetails?.WidthInPx,
        o.VideoDetails?.HeightInPx,
      ]),
      [
        [1280, 720],
        [852, 480],
        [640, 360],
      ],
    );
    assert.ok(
      Job?.Timing?.StartTime && Job.Timing.FinishTime && Job.Timing.FinishTime >= Job.Timing.StartTime,
    );
  });

  it('gives a portrait upload portrait renditions', async () => {
    const { jobId, prefix } = await submit(sources.portrait);

    const end = await harness.waitForEnd(jobId);

    assert.equal(end.detail.status, 'COMPLETE', end.detail.errorMessage);
    const sizes = end.detail.outputGroupDetails?.[0]?.outputDetails.map(
      (o) => `${o.videoDetails?.widthInPx}x${o.videoDetails?.heightInPx}`,
    );
    assert.deepEqual(sizes, ['720x1280', '480x852', '360x640']);
    const local = join(dir, `${jobId}.ts`);
    await writeFile(local, await harness.readBytes(harness.mediaBucket, `${prefix}/hls/index_480p_00001.ts`));
    assert.deepEqual((await probeFile(local)).video, { width: 480, height: 852, codec: 'h264' });
  });

  it('turns a phone video with rotation metadata upright', async () => {
    const { jobId, ladder, prefix } = await submit(sources.rotated);
    assert.deepEqual(
      ladder.renditions.map((r) => `${r.width}x${r.height}`),
      ['360x640'],
    );

    const end = await harness.waitForEnd(jobId);

    assert.equal(end.detail.status, 'COMPLETE', end.detail.errorMessage);
    const segment = join(dir, `${jobId}.ts`);
    await writeFile(
      segment,
      await harness.readBytes(harness.mediaBucket, `${prefix}/hls/index_360p_00001.ts`),
    );
    assert.deepEqual((await probeFile(segment)).video, { width: 360, height: 640, codec: 'h264' });
    const picture = await halvesBrightness(segment);
    assert.ok(
      picture.top > 200 && picture.bottom < 60,
      `upright means white on top: ${JSON.stringify(picture)}`,
    );
    const poster = join(dir, `${jobId}.jpg`);
    await writeFile(
      poster,
      await harness.readBytes(harness.mediaBucket, `${prefix}/poster/poster.0000000.jpg`),
    );
    const posterPicture = await halvesBrightness(poster);
    assert.ok(
      posterPicture.top > 200 && posterPicture.bottom < 60,
      `the poster too: ${JSON.stringify(posterPicture)}`,
    );
  });

  it('makes renditions without audio for a video without sound', async () => {
    const { jobId, prefix } = await submit(sources.silent);

    const end = await harness.waitForEnd(jobId);

    assert.equal(end.detail.status, 'COMPLETE', end.detail.errorMessage);
    const variants = parseMultivariant(
      await harness.readText(harness.mediaBucket, `${prefix}/hls/index.m3u8`),
    );
    assert.deepEqual(
      variants.map((v) => v.attributes.CODECS?.includes('mp4a')),
      [false],
    );
    const segment = join(dir, `${jobId}.ts`);
    await writeFile(
      segment,
      await harness.readBytes(harness.mediaBucket, `${prefix}/hls/index_360p_00001.ts`),
    );
    const facts = await probeFile(segment);
    assert.equal(facts.audio, undefined);
    assert.deepEqual(facts.video, { width: 640, height: 360, codec: 'h264' });
  });

  it('makes an audio-only HLS stream of packed AAC from an audio-only upload', async () => {
    const { jobId, ladder, prefix } = await submit(sources.audioOnly);
    assert.equal(ladder.renditions.length, 0);

    const end = await harness.waitForEnd(jobId);

    assert.equal(end.detail.status, 'COMPLETE', end.detail.errorMessage);
    const groups = end.detail.outputGroupDetails ?? [];
    assert.equal(groups.length, 1, 'no thumbnails or poster without a picture');
    assert.equal(groups[0]?.outputDetails[0]?.videoDetails, undefined);
    const variants = parseMultivariant(
      await harness.readText(harness.mediaBucket, `${prefix}/hls/index.m3u8`),
    );
    assert.deepEqual(
      variants.map((v) => [v.uri, v.attributes.CODECS, v.attributes.RESOLUTION]),
      [['index_audio.m3u8', 'mp4a.40.2', undefined]],
    );
    const playlist = parseMediaPlaylist(
      await harness.readText(harness.mediaBucket, `${prefix}/hls/index_audio.m3u8`),
    );
    assert.deepEqual(
      playlist.segments.map((s) => s.uri),
      ['index_audio_00001.aac'],
    );
    const bytes = await harness.readBytes(harness.mediaBucket, `${prefix}/hls/index_audio_00001.aac`);
    assert.equal(
      bytes.subarray(0, 3).toString('latin1'),
      'ID3',
      'packed audio starts with its ID3 timestamp',
    );
    assert.ok(bytes.includes(Buffer.from('com.apple.streaming.transportStreamTimestamp')));
    const local = join(dir, `${jobId}.aac`);
    await writeFile(local, bytes);
    const facts = await probeFile(local);
    assert.equal(facts.video, undefined);
    assert.deepEqual(facts.audio, { codec: 'aac', channels: 2, sampleRate: 48000 });
  });

  describe('inputs it cannot transcode end in ERROR with an AWS error code', () => {
    // The ladders the submit function would have built had the files been the videos they claim to be.
    const claimed = buildLadder({ video: { width: 1280, height: 720, rotation: 0 }, hasAudio: true });
    const claimedSilent = buildLadder({ video: { width: 640, height: 360, rotation: 0 }, hasAudio: false });

    for (const [name, file, ladder, code, message] of [
      [
        'a text file named .mp4',
        'notVideo',
        claimed,
        1010,
        /^Unable to open input file \[s3:\/\/.*not-a-video\.mp4\]: .*No parser found/,
      ],
      ['an MP4 cut short before its moov box', 'truncated', claimed, 1075, /no moov box found in file/],
      [
        'a faststart MP4 whose media data ends early',
        'truncatedFaststart',
        claimedSilent,
        1076,
        /Is file truncated\?/,
      ],
    ] as const) {
      it(`${name} → ${code}`, async () => {
        const { jobId } = await submit(sources[file], ladder);

        const end = await harness.waitForEnd(jobId);

        assert.equal(end.detail.status, 'ERROR');
        assert.equal(end.detail.errorCode, code);
        assert.match(end.detail.errorMessage ?? '', message);
        assertProgressRises(harness.eventsOf(jobId));
        const { Job } = await harness.mediaConvert.send(new GetJobCommand({ Id: jobId }));
        assert.equal(Job?.Status, 'ERROR');
        assert.equal(Job?.ErrorCode, code);
        assert.equal(Job?.ErrorMessage, end.detail.errorMessage);
      });
    }

    it('an input that does not exist → 1404', async () => {
      const request = buildTranscodeJob({
        application: 'skycast-it',
        videoId: 'v-missing',
        ownerId: 'u-1',
        source: `s3://${harness.uploadsBucket}/uploads/u-1/v-missing/nothing.mp4`,
        mediaBucket: harness.mediaBucket,
        roleArn: ROLE,
        ladder: claimed,
      });
      const { Job } = await harness.mediaConvert.send(new CreateJobCommand(request));

      const end = await harness.waitForEnd(Job?.Id as string);

      assert.equal(end.detail.status, 'ERROR');
      assert.equal(end.detail.errorCode, 1404);
      assert.match(end.detail.errorMessage ?? '', /HeadObject failed/);
    });

    it('an MP4 with neither video nor audio → 1020, missing video', async () => {
      const source = await harness.upload(sources.noMedia, `uploads/u-1/${randomUUID()}/no-media.mp4`);
      const { ProbeResults } = await harness.mediaConvert.send(
        new ProbeCommand({ InputFiles: [{ FileUrl: source }] }),
      );
      assert.deepEqual(
        ProbeResults?.[0]?.Container?.Tracks?.map((track) => track.TrackType),
        ['data'],
      );
      const { jobId } = await submit(sources.noMedia, claimed);

      const end = await harness.waitForEnd(jobId);

      assert.equal(end.detail.status, 'ERROR');
      assert.equal(end.detail.errorCode, 1020);
      assert.match(end.detail.errorMessage ?? '', /doesn't have video that the transcoder can consume/);
    });

    it('a video ladder for an audio-only file → 1020, missing video', async () => {
      const { jobId } = await submit(sources.audioOnly, claimed);

      const end = await harness.waitForEnd(jobId);

      assert.equal(end.detail.errorCode, 1020);
      assert.match(end.detail.errorMessage ?? '', /doesn't have video that the transcoder can consume/);
    });

    it('an audio selector on a file without sound → 1021, missing audio', async () => {
      const { jobId } = await submit(
        sources.silent,
        buildLadder({ video: { width: 640, height: 360, rotation: 0 }, hasAudio: true }),
      );

      const end = await harness.waitForEnd(jobId);

      assert.equal(end.detail.errorCode, 1021);
      assert.match(
        end.detail.errorMessage ?? '',
        /No audio frames decoded on \[selector-\(Audio Selector 1\)/,
      );
    });
  });
});
