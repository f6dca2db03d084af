/**
 * The end of a VOD ladder: a source a frame longer than a whole number of segments must not end in a
 * one-frame segment (MinFinalSegmentLength), and every multivariant label is what the segments measure
 * (RFC 8216 §4.3.4.2: BANDWIDTH at least the peak segment bitrate, AVERAGE-BANDWIDTH the average).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateJobCommand } from '@aws-sdk/client-mediaconvert';
import { parseMediaPlaylist, parseMultivariantPlaylist } from '../../../lambdas/contract/hls/index.ts';
import { buildTranscodeJob } from '../../../lambdas/transcoding/job.ts';
import {
  buildLadder,
  MIN_FINAL_SEGMENT_SECONDS,
  SEGMENT_SECONDS,
} from '../../../lambdas/transcoding/ladder.ts';
import { type Harness, startHarness } from './harness.ts';

const run = promisify(execFile);

/** Peak and average bits per second of a media playlist, from the sizes of its segments. */
async function measure(
  harness: Harness,
  folder: string,
  playlist: string,
): Promise<{ peak: number; average: number; durations: number[] }> {
  const { segments } = parseMediaPlaylist(playlist);
  let bits = 0;
  let seconds = 0;
  let peak = 0;
  for (const segment of segments) {
    const size = (await harness.readBytes(harness.mediaBucket, `${folder}${segment.uri}`)).length;
    bits += size * 8;
    seconds += segment.duration;
    peak = Math.max(peak, (size * 8) / segment.duration);
  }
  return { peak, average: bits / seconds, durations: segments.map((segment) => segment.duration) };
}

describe('MediaConvert emulator: the final segment and the BANDWIDTH labels', () => {
  let harness: Harness;
  let dir: string;
  let source: string;
  const frames = 2 * SEGMENT_SECONDS * 30 + 1;

  before(async () => {
    dir = await mkdtemp(join(os.tmpdir(), 'skycast-mc-final-'));
    source = join(dir, 'twelve-and-a-frame.mp4');
    // 12.033 s at 30 fps: two whole 6 s segments and one frame, which lands on a GOP boundary.
    await run('ffmpeg', [
      ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
      ...['-frames:v', String(frames), '-t', String(frames / 30), '-pix_fmt', 'yuv420p'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', source],
    ]);
    harness = await startHarness({ statusUpdateSeconds: 1 });
  });
  after(async () => {
    await harness?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('ends a 12.033 s upload with no segment shorter than MinFinalSegmentLength, labels measured', async () => {
    const videoId = randomUUID();
    const uri = await harness.upload(source, `uploads/u-1/${videoId}/twelve.mp4`);
    const request = buildTranscodeJob({
      application: 'skycast-it',
      videoId,
      ownerId: 'u-1',
      source: uri,
      mediaBucket: harness.mediaBucket,
      roleArn: 'arn:aws:iam::123456789012:role/skycast-it-mediaconvert',
      ladder: buildLadder({ video: { width: 640, height: 360, rotation: 0 }, hasAudio: true }),
    });
    const { Job } = await harness.mediaConvert.send(new CreateJobCommand(request));
    assert.ok(Job?.Id);

    const end = await harness.waitForEnd(Job.Id, 120_000);

    assert.equal(end.detail.status, 'COMPLETE', end.detail.errorMessage);
    const folder = `videos/${videoId}/hls/`;
    const multivariant = parseMultivariantPlaylist(
      await harness.readText(harness.mediaBucket, `${folder}index.m3u8`),
    );
    assert.ok(multivariant.variants.length > 0);
    for (const variant of multivariant.variants) {
      const playlist = await harness.readText(harness.mediaBucket, `${folder}${variant.uri}`);
      const { peak, average, durations } = await measure(harness, folder, playlist);
      const total = durations.reduce((sum, duration) => sum + duration, 0);
      assert.ok(Math.abs(total - frames / 30) < 0.05, `${variant.uri} lasts ${total} s`);
      assert.ok(
        (durations.at(-1) as number) >= MIN_FINAL_SEGMENT_SECONDS,
        `${variant.uri} ends in a segment of ${durations.at(-1)} s: ${durations.join(', ')}`,
      );
      assert.ok(variant.bandwidth >= peak, `${variant.uri}: BANDWIDTH ${variant.bandwidth} < peak ${peak}`);
      assert.ok(
        Math.abs((variant.averageBandwidth ?? 0) - average) <= 1,
        `${variant.uri}: AVERAGE-BANDWIDTH ${variant.averageBandwidth}, measured ${average}`,
      );
      // The joined segment is one decodable piece: every frame of the source is still there.
      const last = `${folder}${parseMediaPlaylist(playlist).segments.at(-1)?.uri}`;
      const local = join(dir, `${videoId}-last.ts`);
      await writeFile(local, await harness.readBytes(harness.mediaBucket, last));
      const { stdout } = await run('ffprobe', [
        ...['-v', 'error', '-select_streams', 'v:0', '-count_frames'],
        ...['-show_entries', 'stream=nb_read_frames', '-of', 'default=nk=1:nw=1', local],
      ]);
      assert.equal(Number.parseInt(stdout, 10), frames - (durations.length - 1) * SEGMENT_SECONDS * 30);
    }
  });
});
