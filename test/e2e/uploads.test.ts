/**
 * What a creator does, on the local platform: upload a real video in parallel parts, lose the connection,
 * resume, and get a video that plays in every rendition — and for files that are not good videos, a FAILED
 * video with a reason instead of one stuck in PROCESSING.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { type RunningPlatform, startPlatform } from '../../local/platform.ts';
import { emulatorClientConfig } from '../../local/provision.ts';
import { type ApiClient, callApi, resumeUpload, uploadFile, waitForVideo } from '../../scripts/uploader.ts';
import { fetchJson, newSignedInUser, type WebConfig } from './support/client.ts';

interface VideoView {
  videoId: string;
  status: string;
  failure?: { code: string; message: string };
  playbackPath?: string;
  durationSeconds?: number;
  audioOnly?: boolean;
  posterPath?: string;
  renditions?: { name: string; width: number; height: number; bitrate: number; playlistPath: string }[];
}

describe('uploading videos on the local platform', () => {
  let platform: RunningPlatform;
  let config: WebConfig;
  let client: ApiClient;
  let s3: S3Client;
  const work = mkdtempSync(join(tmpdir(), 'skycast-e2e-uploads-'));

  const ffmpeg = (args: string[], name: string) => {
    const path = join(work, name);
    execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, path]);
    return path;
  };

  before(async () => {
    platform = await startPlatform({ port: 0, rtmpPort: 0, quiet: true });
    config = (await fetchJson(`${platform.url}/config.json`)).body;
    const user = await newSignedInUser(platform.url, config);
    client = { apiUrl: config.apiUrl, accessToken: user.tokens.AccessToken };
    s3 = new S3Client({
      ...emulatorClientConfig({ endpoint: platform.motoEndpoint, region: config.region }),
      forcePathStyle: true,
    });
  });
  after(async () => {
    s3?.destroy();
    await platform?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const finished = (videoId: string) =>
    waitForVideo<VideoView>(client, videoId, { timeoutMs: 180_000, intervalMs: 500 });

  /** Copies everything a video's HLS playlist refers to out of the media bucket, keeping the layout. */
  async function download(prefix: string): Promise<string> {
    const bucket = platform.resources.bucketNames.media;
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    for (const object of listed.Contents ?? []) {
      const key = object.Key as string;
      const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const path = join(work, 'media', key);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, await (body.Body?.transformToByteArray() ?? new Uint8Array()));
    }
    return join(work, 'media', prefix);
  }

  it('resumes an interrupted upload, and the video plays in every rendition', async () => {
    // 12 s of 720p at a high bitrate: about 12 MB, so three 5 MiB parts.
    const source = ffmpeg(
      [
        ...['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440'],
        ...[
          '-t',
          '12',
          '-c:v',
          'libx264',
          '-preset',
          'ultrafast',
          '-b:v',
          '8M',
          '-pix_fmt',
          'yuv420p',
          '-c:a',
          'aac',
        ],
      ],
      'holiday.mp4',
    );
    const size = readFileSync(source).length;
    assert.ok(size > 10 * 1024 * 1024, `the source is ${size} bytes; it needs at least three parts`);

    const controller = new AbortController();
    let videoId = '';
    await assert.rejects(
      uploadFile(client, source, {
        title: 'Holiday',
        visibility: 'public',
        concurrency: 1,
        signal: controller.signal,
        onProgress: (progress) => {
          videoId = progress.videoId;
          if (progress.uploadedBytes > 0) controller.abort();
        },
      }),
    );
    const halfway = await callApi<{ uploadedParts: unknown[]; remainingParts: number }>(
      client,
      'GET',
      `/uploads/${videoId}/parts`,
    );
    assert.equal(halfway.uploadedParts.length, 1, 'one part arrived before the connection dropped');
    assert.ok(halfway.remainingParts >= 2);

    const completed = await resumeUpload(client, videoId, source, { concurrency: 2 });
    assert.equal(completed.status, 'UPLOADED');
    const video = await finished(videoId);

    assert.equal(video.status, 'READY', JSON.stringify(video.failure));
    assert.deepEqual(
      video.renditions?.map((r) => `${r.name} ${r.width}x${r.height}`),
      ['720p 1280x720', '480p 852x480', '360p 640x360'],
    );
    assert.ok(Math.abs((video.durationSeconds ?? 0) - 12) < 1, `duration ${video.durationSeconds}`);
    assert.ok(video.posterPath);
    const local = await download(`videos/${videoId}/`);
    const multivariant = readFileSync(join(local, 'hls', 'index.m3u8'), 'utf8');
    assert.match(multivariant, /^#EXTM3U/);
    for (const rendition of video.renditions ?? []) {
      assert.ok(multivariant.includes(rendition.playlistPath.split('/').pop() as string));
      assert.ok(rendition.bitrate > 0);
      const playlist = join(work, 'media', rendition.playlistPath);
      const probe = JSON.parse(
        execFileSync(
          'ffprobe',
          [
            '-v',
            'error',
            '-select_streams',
            'v:0',
            '-show_entries',
            'stream=width,height',
            '-of',
            'json',
            playlist,
          ],
          {
            encoding: 'utf8',
          },
        ),
      );
      assert.deepEqual(probe.streams[0], { width: rendition.width, height: rendition.height });
      // Every segment decodes: ffmpeg reads the whole rendition and reports no error.
      const decoded = execFileSync('ffmpeg', ['-v', 'error', '-i', playlist, '-f', 'null', '-'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      assert.equal(decoded, '');
    }
  });

  it('ends every bad file in FAILED with a reason a person can read', async () => {
    const notVideo = join(work, 'notes.mp4');
    writeFileSync(notVideo, 'These are my notes, not a video.\n'.repeat(100));
    const whole = ffmpeg(
      ['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '4', '-pix_fmt', 'yuv420p'],
      'whole.mp4',
    );
    const truncated = join(work, 'truncated.mp4');
    // The MP4 muxer writes the index (moov) last: cutting the file in half loses it.
    const bytes = readFileSync(whole);
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));

    const results = await Promise.all(
      [notVideo, truncated].map(async (path) => finished((await uploadFile(client, path)).videoId)),
    );

    const [text, cut] = results;
    assert.equal(text?.status, 'FAILED');
    assert.equal(text?.failure?.code, 'NOT_A_VIDEO');
    assert.match(text?.failure?.message ?? '', /not a video format we recognise/);
    assert.equal(cut?.status, 'FAILED');
    assert.ok((cut?.failure?.message.length ?? 0) > 20, JSON.stringify(cut?.failure));
  });

  it('refuses an empty file at once with a clear error', async () => {
    const response = await fetch(`${config.apiUrl}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${client.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fileName: 'empty.mp4', size: 0, contentType: 'video/mp4' }),
    });
    const body = await response.json();

    assert.equal(response.status, 400);
    assert.equal(body.code, 'VALIDATION_FAILED');
    assert.match(body.message, /empty/);
  });

  it('makes an audio-only file a READY video without a picture', async () => {
    const audio = ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=660', '-t', '5', '-c:a', 'aac'], 'song.mp4');

    const video = await finished((await uploadFile(client, audio)).videoId);

    assert.equal(video.status, 'READY', JSON.stringify(video.failure));
    assert.equal(video.audioOnly, true);
    assert.deepEqual(video.renditions, []);
    assert.equal(video.posterPath, undefined);
  });

  it('makes an MP3 sent as audio/mpeg, and a FLAC, READY audio-only videos (no 415)', async () => {
    const mp3 = ffmpeg(
      ['-f', 'lavfi', '-i', 'sine=frequency=550', '-t', '4', '-c:a', 'libmp3lame'],
      'tune.mp3',
    );
    const flac = ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=330', '-t', '4', '-c:a', 'flac'], 'tune.flac');

    const videos = await Promise.all(
      [mp3, flac].map(async (path) => finished((await uploadFile(client, path)).videoId)),
    );

    for (const video of videos) {
      assert.equal(video.status, 'READY', JSON.stringify(video.failure));
      assert.equal(video.audioOnly, true);
      assert.deepEqual(video.renditions, []);
    }
  });
});
