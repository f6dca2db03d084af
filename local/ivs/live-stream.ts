/**
 * A publisher on a channel, from publish to the end of its transcode: what ingest brings to life, playback
 * serves, the recording follows and the API reports as the channel's stream.
 */
import type { Segment } from './hls-playlist.ts';
import type { LiveTranscode } from './live-transcode.ts';
import type { RecordingWriter } from './recording-writer.ts';
import type { Channel } from './resources.ts';
import type { IngestSession } from './rtmp-server.ts';

/** Segments in a live playlist: a few seconds behind the edge, as players expect of a live window. */
export const LIVE_WINDOW_SEGMENTS = 6;

export interface LiveStream {
  streamId: string;
  channel: Channel;
  session: IngestSession;
  dir: string;
  state: 'STARTING' | 'LIVE' | 'ENDED';
  startTime?: Date;
  segments: Map<string, Segment[]>;
  transcode?: LiveTranscode;
  recording?: RecordingWriter;
  /** performance.now() of the first audio or video frame, and of the first segment (for the benchmarks). */
  firstFrameAt?: number;
  firstSegmentAt?: number;
  viewers: Map<string, number>;
  /**
   * Playback tokens this stream has accepted. As IVS does, a token is checked (signature, channel, expiry) when
   * playback starts; the playlists and segments that follow need the same token, not a fresh one, so a viewer
   * keeps watching after the token's expiry, and no signature is verified per segment.
   */
  acceptedTokens: Set<string>;
  /** Recent segments' bytes, read once from disk for every viewer that asks for them. */
  segmentCache: Map<string, Promise<Buffer>>;
  /**
   * What PutMetadata took for this stream, in the order it came, with the wall-clock time (ms since the epoch)
   * each call arrived; each is put into every rendition's segment that holds that moment (timed-metadata.ts).
   */
  timedMetadata: { at: number; payload: string }[];
  /** Per rendition: how many of `timedMetadata` its segments hold already. */
  metadataPlaced: Map<string, number>;
  /** The publisher is gone: the transcode is finishing, and how it exits is no failure of the stream. */
  ending?: boolean;
}
