/**
 * `npm run upload -- <file> [--title "…"] [--visibility public|unlisted|private] [--resume <videoId>]`
 *
 * Uploads a video, or a sound file (M4A, MP3, WAV, FLAC, Ogg), which becomes an audio-only video, to Skycast
 * (the local platform by default, or SKYCAST_URL), shows progress, and waits until it is playable. Signs in
 * with SKYCAST_EMAIL and SKYCAST_PASSWORD. Ctrl-C stops the upload; the command to resume it is printed.
 */
import { parseArgs } from 'node:util';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Playback } from '#contract/catalog.ts';
import { cookieHeader } from '../lambdas/delivery/playback.ts';
import {
  type ApiClient,
  ApiError,
  resumeUpload,
  type UploadProgress,
  uploadFile,
  type VideoStatus,
  waitForVideo,
} from './uploader.ts';

interface WebConfig {
  region: string;
  apiUrl: string;
  userPoolClientId: string;
  cognitoEndpoint?: string;
}

function fail(message: string): never {
  console.error(`✖ ${message}`);
  process.exit(1);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    title: { type: 'string' },
    visibility: { type: 'string' },
    resume: { type: 'string' },
    concurrency: { type: 'string', default: '4' },
  },
});
const file = positionals[0];
if (!file) fail('Name the video or audio file: npm run upload -- ./my-video.mp4');
const visibility = values.visibility as 'public' | 'unlisted' | 'private' | undefined;
if (visibility && !['public', 'unlisted', 'private'].includes(visibility)) {
  fail('--visibility is public, unlisted or private.');
}
const email = process.env.SKYCAST_EMAIL;
const password = process.env.SKYCAST_PASSWORD;
if (!email || !password) fail('Set SKYCAST_EMAIL and SKYCAST_PASSWORD to the account to upload with.');

const origin = (process.env.SKYCAST_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const config = (await fetch(`${origin}/config.json`)
  .then((response) => (response.ok ? response.json() : Promise.reject(new Error(`HTTP ${response.status}`))))
  .catch((error: Error) =>
    fail(`Cannot read ${origin}/config.json (${error.message}). Is Skycast running (npm start)?`),
  )) as WebConfig;

const cognito = new CognitoIdentityProviderClient({
  region: config.region,
  ...(config.cognitoEndpoint ? { endpoint: config.cognitoEndpoint } : {}),
  // Sign-in needs no AWS credentials; the SDK insists on some shape of them.
  credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
});
const auth = await cognito
  .send(
    new InitiateAuthCommand({
      ClientId: config.userPoolClientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  )
  .catch((error: Error) => fail(`Sign-in failed: ${error.message}`));
const accessToken = auth.AuthenticationResult?.AccessToken ?? fail('Sign-in returned no access token.');
const client: ApiClient = { apiUrl: config.apiUrl, accessToken };

const controller = new AbortController();
let videoId = values.resume;
process.once('SIGINT', () => {
  controller.abort();
  console.log(`\nStopped. Resume with: npm run upload -- --resume ${videoId ?? '<videoId>'} ${file}`);
  process.exit(130);
});

const started = Date.now();
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const onProgress = (progress: UploadProgress) => {
  videoId = progress.videoId;
  const seconds = (Date.now() - started) / 1000;
  const rate = progress.uploadedBytes / Math.max(seconds, 0.001);
  const left = rate > 0 ? (progress.totalBytes - progress.uploadedBytes) / rate : 0;
  const percent = Math.floor((100 * progress.uploadedBytes) / progress.totalBytes);
  process.stdout.write(
    `\r  uploading ${percent}%  ${mib(progress.uploadedBytes)} / ${mib(progress.totalBytes)} MiB  ${mib(rate)} MiB/s  ${Math.ceil(left)} s left   `,
  );
};

try {
  const options = {
    title: values.title,
    visibility,
    concurrency: Number(values.concurrency),
    onProgress,
    signal: controller.signal,
  };
  const video = values.resume
    ? await resumeUpload(client, values.resume, file, options)
    : await uploadFile(client, file, options);
  videoId = video.videoId;
  console.log(`\n✔ uploaded: video ${video.videoId}`);
} catch (error) {
  if (error instanceof ApiError) fail(error.message);
  fail(
    `${(error as Error).message}${videoId ? `\nResume with: npm run upload -- --resume ${videoId} ${file}` : ''}`,
  );
}

interface VideoView extends VideoStatus {
  failure?: { code: string; message: string };
  playback?: Playback;
}
const video = await waitForVideo<VideoView>(client, videoId, {
  // A long source may transcode for a long time: wait as long as the person does (Ctrl-C stops).
  timeoutMs: Number.POSITIVE_INFINITY,
  onStatus: (status) =>
    process.stdout.write(`\r  ${status.status.toLowerCase()} ${status.progress ?? 0}%        `),
});
if (video.status === 'FAILED') fail(`\nTranscoding failed: ${video.failure?.message ?? 'no reason given'}`);
if (!video.playback) fail('\nThe video is ready, but the API gave no playback for it.');
console.log(`\n✔ ready to watch: ${video.playback.url}`);
// Media is served only with the signed cookies getVideo hands out (they open this video alone).
console.log(`  signed cookies until ${video.playback.expiresAt}; to play it from a terminal:`);
console.log(`  ffplay -headers $'Cookie: ${cookieHeader(video.playback)}\\r\\n' '${video.playback.url}'`);
