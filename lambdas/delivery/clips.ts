/**
 * Clips without re-encoding: a clip is the run of a source's segments that covers the asked range, so its
 * boundaries snap outward to whole segments.
 */

import {
  type MediaPlaylist,
  type MediaSegment,
  type MultivariantPlaylist,
  renderPlaylist,
} from '#contract/hls/index.ts';
import { ClipTooLongError, InvalidClipRangeError } from './errors.ts';
import { filterVariants, type UriRewriter, type ViewerLimits } from './variants.ts';

/** Seconds from the start of the source: the clip covers [start, end). */
export interface ClipRange {
  start: number;
  end: number;
}

/** Total duration of a media playlist, in seconds. */
export function playlistDuration(media: MediaPlaylist): number {
  return media.segments.reduce((total, segment) => total + segment.duration, 0);
}

/** Checks an asked range against the source's duration and the length limit; returns it when valid. */
export function clipRange(
  asked: { start: unknown; end: unknown },
  source: { durationSeconds: number; maxClipSeconds: number },
): ClipRange {
  const { start, end } = asked;
  if (typeof start !== 'number' || !Number.isFinite(start) || start < 0) {
    throw new InvalidClipRangeError(
      `Clip start must be a number of seconds of at least 0, got ${String(start)}`,
    );
  }
  if (typeof end !== 'number' || !Number.isFinite(end)) {
    throw new InvalidClipRangeError(`Clip end must be a number of seconds, got ${String(end)}`);
  }
  if (end <= start)
    throw new InvalidClipRangeError(`Clip end (${end} s) must be after its start (${start} s)`);
  if (end > source.durationSeconds) {
    throw new InvalidClipRangeError(
      `Clip end (${end} s) is past the end of the source (${source.durationSeconds} s)`,
    );
  }
  if (end - start > source.maxClipSeconds) {
    throw new ClipTooLongError(
      `A clip may last at most ${source.maxClipSeconds} s; this one lasts ${end - start} s`,
      {
        details: { maxClipSeconds: source.maxClipSeconds },
      },
    );
  }
  return { start, end };
}

/** The media playlist of a clip: the source's segments overlapping [start, end), as a VOD playlist. */
export function cutMediaPlaylist(media: MediaPlaylist, range: ClipRange): MediaPlaylist {
  let first = -1;
  let last = -1;
  let time = 0;
  media.segments.forEach((segment, i) => {
    const segmentEnd = time + segment.duration;
    if (segmentEnd > range.start && time < range.end) {
      if (first < 0) first = i;
      last = i;
    }
    time = segmentEnd;
  });
  if (first < 0) {
    throw new InvalidClipRangeError(
      `No segment of the source (${playlistDuration(media)} s) lies in [${range.start}, ${range.end})`,
    );
  }
  const source = media.segments;
  const kept: MediaSegment[] = source.slice(first, last + 1).map((segment) => ({ ...segment }));
  const head = kept[0] as MediaSegment;

  // A discontinuity before the first segment means nothing; it moves into the discontinuity sequence.
  const discontinuitiesBefore = source.slice(0, first + 1).filter((s) => s.discontinuity).length;
  head.discontinuity = false;

  // The date-time in effect is the last one written at or before the first kept segment, moved on by the
  // durations of the segments between (RFC 8216 §4.3.2.6).
  if (!head.programDateTime) {
    for (let i = first - 1; i >= 0; i -= 1) {
      const written = source[i]?.programDateTime;
      if (!written) continue;
      const skipped = source.slice(i, first).reduce((total, s) => total + s.duration, 0);
      head.programDateTime = new Date(written.getTime() + Math.round(skipped * 1000));
      break;
    }
  }

  return {
    kind: 'media',
    ...(media.version === undefined ? {} : { version: media.version }),
    targetDuration: Math.max(1, Math.ceil(Math.max(...kept.map((s) => s.duration)))),
    mediaSequence: media.mediaSequence + first,
    discontinuitySequence: media.discontinuitySequence + discontinuitiesBefore,
    playlistType: 'VOD',
    independentSegments: media.independentSegments,
    endList: true,
    segments: kept,
    ...(media.tags ? { tags: media.tags } : {}),
    // Tags after the source's last segment belong to the clip only if it ends with that segment.
    ...(media.endTags && last === source.length - 1 ? { endTags: media.endTags } : {}),
  };
}

/** `cutMediaPlaylist`, rendered as RFC 8216 text. */
export function renderClipPlaylist(media: MediaPlaylist, range: ClipRange): string {
  return renderPlaylist(cutMediaPlaylist(media, range));
}

/**
 * The multivariant playlist of a clip: every variant (and EXT-X-MEDIA rendition) points at its clip
 * sub-playlist, which `clipUri` names from the source URI. Renditions are aligned (same segment
 * boundaries), so cutting each at the same range gives the same times in all of them.
 */
export function renderClipMultivariant(multivariant: MultivariantPlaylist, clipUri: UriRewriter): string {
  return renderPlaylist(clipMultivariant(multivariant, {}, clipUri));
}

/**
 * The multivariant playlist of a clip for a viewer with these limits: `filterVariants`, without the I-frame
 * playlists, which clips do not cut (trick play of a clip of minutes is not worth a second cut per variant).
 */
export function clipMultivariant(
  multivariant: MultivariantPlaylist,
  limits: ViewerLimits,
  clipUri: UriRewriter,
): MultivariantPlaylist {
  const { iFrameStreams: _notCut, ...filtered } = filterVariants(multivariant, limits, clipUri);
  return filtered;
}
