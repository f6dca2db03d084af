/**
 * The manifest Lambda, behind CloudFront through a function URL (IAM auth, reachable only with CloudFront's
 * Origin Access Control signature). CloudFront has already checked the viewer's signed cookies; this function
 * turns a path and the viewer-limit query into a playlist (see manifest.ts).
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { findBehaviour, mediaContentTypes, VIEWER_LIMIT_QUERY } from '#contract/delivery.ts';
import { ENV } from '#contract/environment.ts';
import { requireEnv } from '#shared/config.ts';
import { SkycastError } from '#shared/errors.ts';
import { logger, withLogContext } from '#shared/logger.ts';
import { generatePlaylist, type PlaylistSource } from './manifest.ts';
import { S3PlaylistSource } from './s3-playlist-source.ts';

export interface ManifestDeps {
  playlists: PlaylistSource;
}

type Result = APIGatewayProxyStructuredResultV2;

const text = (statusCode: number, body: string, headers: Record<string, string> = {}): Result => ({
  statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers },
  body: `${body}\n`,
});

export function createHandler(deps: ManifestDeps) {
  return async (event: APIGatewayProxyEventV2): Promise<Result> => {
    const method = event.requestContext?.http?.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      return text(405, `Generated playlists answer GET and HEAD, not ${method}.`, { allow: 'GET, HEAD' });
    }
    const path = event.rawPath ?? '/';
    let key: string;
    try {
      key = decodeURIComponent(path.replace(/^\/+/, ''));
    } catch {
      return text(400, 'The path is not valid percent-encoding.');
    }
    const behaviour = findBehaviour(key);
    if (behaviour?.origin !== 'manifest') return text(404, 'No generated playlist at this path.');
    // Only the limits the cache key holds: anything else CloudFront would not forward either.
    const given = new URLSearchParams(event.rawQueryString ?? '');
    const query = new URLSearchParams();
    for (const name of VIEWER_LIMIT_QUERY) {
      const value = given.get(name);
      if (value !== null) query.set(name, value);
    }
    try {
      const playlist = await generatePlaylist(key, query, deps.playlists);
      return {
        statusCode: 200,
        headers: {
          'content-type': mediaContentTypes.m3u8 as string,
          'cache-control': behaviour.cacheControl,
        },
        body: method === 'HEAD' ? '' : playlist.body,
      };
    } catch (error) {
      if (error instanceof SkycastError) {
        logger.info('playlist refused', { path: key, code: error.code, status: error.status });
        return text(error.status, `${error.code}: ${error.message}`);
      }
      logger.error('playlist generation failed', { path: key, error });
      return text(500, 'The playlist could not be generated.');
    }
  };
}

/** The playlist cache lives in module scope, so it outlives invocations in a warm container. */
export function defaultManifestDeps(env: NodeJS.ProcessEnv = process.env): ManifestDeps {
  const config = requireEnv([ENV.buckets.media, ENV.buckets.recordings], env);
  return {
    playlists: new S3PlaylistSource(new S3Client({}), {
      media: config[ENV.buckets.media],
      recordings: config[ENV.buckets.recordings],
    }),
  };
}

export const handler = withLogContext(createHandler(defaultManifestDeps()));
