/**
 * The world the authorization matrix runs in: one local platform, three users and what they own, all made
 * through the platform's own HTTP API and Cognito endpoint, as a browser would.
 *
 * - `owner` (A) has a public, an unlisted and a private READY video, and three clips (public, unlisted,
 *   private) of the public one; `private` is a video that was public when `clipper` (B) cut a public clip of
 *   it, and that A then made private: B's clip is the "clip of a private source".
 * - A's channel streams publicly, B's privately.
 * - `other` (C) owns nothing of the above.
 * - Each of A and B also holds a token from a session that was ended with GlobalSignOut.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningPlatform, startPlatform } from '../../../local/platform.ts';
import { callApi as call, uploadFile, waitForVideo } from '../../../scripts/uploader.ts';
import {
  callApi,
  cognito,
  fetchJson,
  newSignedInUser,
  signIn,
  type WebConfig,
} from '../../e2e/support/client.ts';

/** A user of the world: the token of a live session, and one of a session signed out with GlobalSignOut. */
export interface Person {
  email: string;
  token: string;
  signedOutToken: string;
}

export interface World {
  platform: RunningPlatform;
  config: WebConfig;
  owner: Person;
  clipper: Person;
  other: Person;
  videos: { public: string; unlisted: string; private: string };
  /** A's clips of the public video, one per visibility. */
  clips: { public: string; unlisted: string; private: string };
  /** B's clip of A's video that turned private after the clip was cut. */
  clipOfPrivate: string;
  streams: { public: string; private: string };
  stop(): Promise<void>;
}

/** A signed-in user who also holds the token of an earlier session, signed out everywhere. */
async function newPerson(platform: RunningPlatform, config: WebConfig): Promise<Person> {
  const user = await newSignedInUser(platform.url, config);
  const signedOut = await cognito(config, 'GlobalSignOut', { AccessToken: user.tokens.AccessToken });
  assert.equal(signedOut.status, 200, JSON.stringify(signedOut.body));
  const fresh = await signIn(config, user.email, user.password);
  return { email: user.email, token: fresh.AccessToken, signedOutToken: user.tokens.AccessToken };
}

/** A short test pattern with sound, made by ffmpeg: enough for a few segments and a clip of one second. */
function makeVideo(path: string): void {
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast'],
    ...['-pix_fmt', 'yuv420p', '-c:a', 'aac', path],
  ]);
}

export async function startWorld(): Promise<World> {
  const work = mkdtempSync(join(tmpdir(), 'skycast-security-'));
  const platform = await startPlatform({ port: 0, rtmpPort: 0, quiet: true });
  try {
    const config: WebConfig = (await fetchJson(`${platform.url}/config.json`)).body;
    const [owner, clipper, other] = [
      await newPerson(platform, config),
      await newPerson(platform, config),
      await newPerson(platform, config),
    ];
    const a = { apiUrl: config.apiUrl, accessToken: owner.token };
    const b = { apiUrl: config.apiUrl, accessToken: clipper.token };
    const file = join(work, 'pattern.mp4');
    makeVideo(file);

    const uploaded = await Promise.all(
      (['public', 'unlisted', 'public'] as const).map((visibility, index) =>
        uploadFile(a, file, { title: `Matrix ${index} ${visibility}`, visibility }),
      ),
    );
    const ready = await Promise.all(
      uploaded.map(({ videoId }) =>
        waitForVideo<{ status: string; videoId: string }>(a, videoId, {
          timeoutMs: 300_000,
          intervalMs: 500,
        }),
      ),
    );
    for (const video of ready) assert.equal(video.status, 'READY', JSON.stringify(video));
    const [publicVideo, unlistedVideo, turnsPrivate] = ready.map((video) => video.videoId) as [
      string,
      string,
      string,
    ];

    const clip = async (client: typeof a, source: string, visibility: string) =>
      (
        await call<{ videoId: string }>(client, 'POST', `/videos/${source}/clips`, {
          title: `A ${visibility} clip`,
          startSeconds: 0,
          endSeconds: 1,
          visibility,
        })
      ).videoId;
    const clips = {
      public: await clip(a, publicVideo, 'public'),
      unlisted: await clip(a, publicVideo, 'unlisted'),
      private: await clip(a, publicVideo, 'private'),
    };
    const clipOfPrivate = await clip(b, turnsPrivate, 'public');
    const narrowed = await callApi(config, 'PATCH', `/videos/${turnsPrivate}`, {
      token: owner.token,
      body: { visibility: 'private' },
    });
    assert.equal(narrowed.status, 200, JSON.stringify(narrowed.body));

    const stream = async (client: typeof a, visibility: string) =>
      (
        await call<{ stream: { streamId: string } }>(client, 'POST', '/streams', {
          title: `A ${visibility} stream`,
          visibility,
        })
      ).stream.streamId;
    const streams = { public: await stream(a, 'public'), private: await stream(b, 'private') };

    return {
      platform,
      config,
      owner,
      clipper,
      other,
      videos: { public: publicVideo, unlisted: unlistedVideo, private: turnsPrivate },
      clips,
      clipOfPrivate,
      streams,
      async stop() {
        await platform.stop();
        rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await platform.stop();
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
}
