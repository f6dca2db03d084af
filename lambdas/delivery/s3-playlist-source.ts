import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { HlsParseError, type Playlist, parsePlaylist } from '#contract/hls/index.ts';
import { PlaylistParseError } from './errors.ts';
import type { PlaylistSource, SourceBucket } from './manifest.ts';

/**
 * A source playlist from our own buckets, parsed; text that is not valid HLS is a `PlaylistParseError` (502),
 * with the line and the reason, since the viewer asked for nothing wrong.
 */
export function parseSourcePlaylist(text: string): Playlist {
  try {
    return parsePlaylist(text);
  } catch (error) {
    if (error instanceof HlsParseError) throw new PlaylistParseError(error.message, { cause: error });
    throw error;
  }
}

interface Entry {
  playlist: Playlist | undefined;
  etag: string | undefined;
  checkedAt: number;
}

/** Options of {@link S3PlaylistSource}. */
export interface PlaylistCacheOptions {
  /** Parsed playlists kept per container, least recently used dropped first. @default 500 */
  maxEntries?: number;
  /**
   * How long a cached playlist is used without asking S3; after that one conditional GET (If-None-Match)
   * revalidates it, which costs no parse when nothing changed. @default 60 s
   */
  freshMs?: number;
  now?: () => number;
}

/**
 * Source playlists read from S3 and parsed once per container: a clip of a two-hour video asks for the same
 * rendition playlists again and again, and parsing them is most of the work. A missing playlist is cached as
 * missing for the same short time, so a flood of requests for a deleted video does not reach S3 each time.
 */
export class S3PlaylistSource implements PlaylistSource {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly freshMs: number;
  private readonly now: () => number;
  /** Reads and parses in progress, so concurrent requests for one playlist share them. */
  private readonly inFlight = new Map<string, Promise<Playlist | undefined>>();

  constructor(
    private readonly s3: S3Client,
    private readonly buckets: Record<SourceBucket, string>,
    options: PlaylistCacheOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? 500;
    this.freshMs = options.freshMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** How many playlists are cached now. */
  get size(): number {
    return this.entries.size;
  }

  get(bucket: SourceBucket, key: string): Promise<Playlist | undefined> {
    const id = `${bucket}/${key}`;
    const entry = this.entries.get(id);
    if (entry && this.now() - entry.checkedAt < this.freshMs) {
      // Most recently used goes last.
      this.entries.delete(id);
      this.entries.set(id, entry);
      return Promise.resolve(entry.playlist);
    }
    let pending = this.inFlight.get(id);
    if (!pending) {
      pending = this.load(bucket, key, id, entry).finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, pending);
    }
    return pending;
  }

  private async load(bucket: SourceBucket, key: string, id: string, stale: Entry | undefined) {
    let entry: Entry;
    try {
      const output = await this.s3.send(
        new GetObjectCommand({
          Bucket: this.buckets[bucket],
          Key: key,
          ...(stale?.etag ? { IfNoneMatch: stale.etag } : {}),
        }),
      );
      const text = (await output.Body?.transformToString('utf8')) ?? '';
      entry = { playlist: parseSourcePlaylist(text), etag: output.ETag, checkedAt: this.now() };
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const name = (error as { name?: string }).name;
      if (status === 304 && stale) {
        entry = { ...stale, checkedAt: this.now() };
      } else if (name === 'NoSuchKey' || (status === 404 && name !== 'NoSuchBucket')) {
        entry = { playlist: undefined, etag: undefined, checkedAt: this.now() };
      } else {
        throw error;
      }
    }
    this.entries.delete(id);
    this.entries.set(id, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return entry.playlist;
  }
}
