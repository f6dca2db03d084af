/**
 * The model of an HLS playlist (RFC 8216) as the house reads and writes it: what Skycast interprets is typed,
 * and every tag it does not interpret is kept verbatim, where it stood, so that rendering gives it back.
 */

/** One `NAME=value` of an attribute list (RFC 8216 §4.2); `quoted` values are rendered in double quotes. */
export interface Attribute {
  name: string;
  value: string;
  quoted: boolean;
}

/** A byte range of a resource, with the offset always resolved (RFC 8216 §4.3.2.2). */
export interface ByteRange {
  length: number;
  offset: number;
}

/**
 * A tag line we do not interpret, verbatim with its `#` (e.g. `#EXT-X-DATERANGE:ID="ad-1",…`,
 * `#EXT-X-CUE-OUT:30`, `#EXT-X-SESSION-DATA:…`).
 */
export type UninterpretedTag = string;

/** An `EXT-X-STREAM-INF` and its URI. */
export interface VariantStream {
  uri: string;
  /** Peak bits per second. */
  bandwidth: number;
  averageBandwidth?: number;
  resolution?: { width: number; height: number };
  codecs?: string;
  frameRate?: number;
  /** Attributes other than the typed ones (AUDIO, SUBTITLES, VIDEO, …), verbatim and in order. */
  otherAttributes: Attribute[];
}

/** An `EXT-X-I-FRAME-STREAM-INF`: a variant's I-frame playlist, for trick play. */
export interface IFrameStream {
  uri: string;
  bandwidth: number;
  resolution?: { width: number; height: number };
  /** Attributes other than URI, BANDWIDTH and RESOLUTION, verbatim and in order. */
  otherAttributes: Attribute[];
}

/** An `EXT-X-MEDIA` rendition of any TYPE (AUDIO, VIDEO, SUBTITLES, CLOSED-CAPTIONS), as its attribute list. */
export interface Rendition {
  attributes: Attribute[];
}

export interface MultivariantPlaylist {
  kind: 'multivariant';
  version?: number;
  independentSegments: boolean;
  media: Rendition[];
  variants: VariantStream[];
  /** I-frame playlists; absent when there are none. */
  iFrameStreams?: IFrameStream[];
  /** Tags we do not interpret (EXT-X-SESSION-DATA, EXT-X-START, …), in order; absent when there are none. */
  tags?: UninterpretedTag[];
}

/** An `EXT-X-MAP` media initialization section. */
export interface MediaInitialization {
  uri: string;
  byteRange?: ByteRange;
}

export interface MediaSegment {
  uri: string;
  /** Seconds, from EXTINF. */
  duration: number;
  title?: string;
  byteRange?: ByteRange;
  /** An `EXT-X-DISCONTINUITY` precedes this segment. */
  discontinuity: boolean;
  /** `EXT-X-PROGRAM-DATE-TIME` written on this segment (not derived). */
  programDateTime?: Date;
  /** The `EXT-X-MAP` in effect for this segment, if any. */
  map?: MediaInitialization;
  /**
   * Tags we do not interpret written between the previous segment's URI and this one's (EXT-X-DATERANGE,
   * EXT-X-CUE-OUT, EXT-X-CUE-IN, EXT-X-GAP, …), in order; absent when there are none.
   */
  tags?: UninterpretedTag[];
}

export interface MediaPlaylist {
  kind: 'media';
  version?: number;
  targetDuration: number;
  mediaSequence: number;
  discontinuitySequence: number;
  playlistType?: 'VOD' | 'EVENT';
  independentSegments: boolean;
  endList: boolean;
  segments: MediaSegment[];
  /**
   * Playlist-wide tags we do not interpret (EXT-X-START, EXT-X-I-FRAMES-ONLY, EXT-X-SERVER-CONTROL, …), in
   * order; absent when there are none.
   */
  tags?: UninterpretedTag[];
  /** Tags we do not interpret written after the last segment's URI, in order; absent when there are none. */
  endTags?: UninterpretedTag[];
}

export type Playlist = MultivariantPlaylist | MediaPlaylist;

/** Text that is not a valid playlist; the message names the line (`Line 3: …`) and the reason. */
export class HlsParseError extends Error {
  override readonly name = 'HlsParseError';

  constructor(
    message: string,
    /** The line, counted from 1, where the problem was found. */
    readonly line: number,
  ) {
    super(message);
  }
}
