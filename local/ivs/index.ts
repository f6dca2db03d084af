/**
 * Skycast's local IVS: the IVS API calls our functions and the platform make, answered on a loopback port
 * for the real `@aws-sdk/client-ivs` (set `endpoint`, or `AWS_ENDPOINT_URL_IVS`) in IVS's REST-JSON wire
 * format; an RTMP ingest that accepts only the channels' stream keys; live HLS for the local origin to
 * serve; recordings in IVS's S3 layout in the S3 emulator; and IVS's EventBridge events via `publish`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { emulatorS3Config } from '../emulator-clients.ts';
import type { BusEvent } from '../event-bus.ts';
import { handleRequest } from './api.ts';
import { type RunningRtmpServer, startRtmpServer } from './rtmp-server.ts';
import { IvsService } from './service.ts';

/** Where the local IVS writes recordings and sends events, and how it serves and transcodes. */
export interface IvsEmulatorOptions {
  s3: { endpoint: string; region: string };
  publish(event: BusEvent): Promise<void>;
  accountId: string;
  /** RTMP ingest port on 127.0.0.1; 0 picks a free one. @default 1935 */
  rtmpPort?: number;
  /** Where live HLS is served (the origin mounts `servePlayback` there), e.g. `http://127.0.0.1:3000/ivs/playback`. */
  playbackBaseUrl: string;
  /** x264 preset of the live transcode. @default ultrafast */
  x264Preset?: string;
  log?: (message: string, error?: unknown) => void;
}

/** A started local IVS: its API endpoint, its RTMP ingest, and live playback for the origin to mount. */
export interface RunningIvsEmulator {
  /** The IVS API, for the SDK's `endpoint` (AWS_ENDPOINT_URL_IVS). */
  endpoint: string;
  rtmpPort: number;
  /** What OBS calls "Server": append the stream key to publish. */
  ingestUrl: string;
  service: IvsService;
  /** Serves live HLS below the playback base URL (`path` is what follows it, without a leading slash). */
  servePlayback(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the API on a free loopback port and the RTMP ingest; `stop` ends streams and removes the work folder. */
export async function startIvsEmulator(options: IvsEmulatorOptions): Promise<RunningIvsEmulator> {
  const log = options.log ?? ((message, error) => console.error(`✖ IVS emulator: ${message}`, error ?? ''));
  const workDir = await mkdtemp(join(os.tmpdir(), 'skycast-ivs-'));
  const s3 = new S3Client(emulatorS3Config(options.s3));
  const service = new IvsService({
    accountId: options.accountId,
    region: options.s3.region,
    ingestHost: '127.0.0.1',
    playbackBaseUrl: options.playbackBaseUrl,
    workDir,
    s3,
    publish: options.publish,
    ...(options.x264Preset ? { x264Preset: options.x264Preset } : {}),
    log,
  });

  const api = createServer((request, response) => {
    void handleRequest(service, log, request, response);
  });
  await new Promise<void>((resolveListen, reject) => {
    api.once('error', reject);
    api.listen(0, '127.0.0.1', () => resolveListen());
  });
  const endpoint = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

  let rtmp: RunningRtmpServer;
  try {
    rtmp = await startRtmpServer({
      port: options.rtmpPort ?? 1935,
      authorize: (app, key, session) => service.authorize(app, key, session),
      onError: (error) => log('an RTMP connection broke the protocol', error),
    });
  } catch (error) {
    api.close();
    s3.destroy();
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }

  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    rtmpPort: rtmp.port,
    ingestUrl: `rtmp://127.0.0.1:${rtmp.port}/app/`,
    service,
    servePlayback: (request, response, path, query) => service.servePlayback(request, response, path, query),
    stop() {
      stopped ??= (async () => {
        await rtmp.close();
        await service.stop();
        await new Promise<void>((resolveClose) => {
          api.close(() => resolveClose());
          api.closeAllConnections();
        });
        s3.destroy();
        await rm(workDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
