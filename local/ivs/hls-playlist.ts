/**
 * The playlists of the IVS emulator, as models for the house's HLS module: the media playlists ffmpeg writes
 * while a stream is live (type EVENT: every segment so far) read into segments, and the playlists the emulator
 * serves from them — a sliding live window with an advancing media sequence, a recording's whole VOD playlist,
 * and the multivariant playlist naming each rendition — written as IVS writes them (three decimals per EXTINF,
 * EXT-X-PROGRAM-DATE-TIME on every live segment). BANDWIDTH labels are measured from the segments written.
 */
import {
  HlsParseError,
  type MediaPlaylist,
  measureBitrates,
  parseMediaPlaylist,
  renderPlaylist,
  targetDurationOf,
} from '#contract/hls/index.ts';
import { ivsHlsNames, ivsSegmentIndex } from '#contract/media-layout.ts';

export interface Segment {
  /** Index in the rendition, from 0; also the segment's file name, `<index>.ts`. */
  index: number;
  durationSeconds: number;
  /** A new encoder session starts here (a reconnect within the recording's window). */
  discontinuity?: boolean;
  /** The segment file's size, once it is known (what BANDWIDTH is measured from). */
  bytes?: number;
  /** Wall-clock time of the segment's first frame (EXT-X-PROGRAM-DATE-TIME). */
  programDateTime?: Date;
}

/** IVS writes EXTINF with three decimals (`#EXTINF:2.000,`). */
const IVS_DURATIONS = { durationDecimals: 3 };

/**
 * Segments listed in an ffmpeg playlist whose URIs are `<index>.ts`. A playlist caught half-written lists
 * none; the next poll reads it whole.
 */
export function readSegments(playlist: string): Segment[] {
  let parsed: MediaPlaylist;
  try {
    parsed = parseMediaPlaylist(playlist);
  } catch (error) {
    if (error instanceof HlsParseError) return [];
    throw error;
  }
  return parsed.segments.flatMap((segment) => {
    const index = ivsSegmentIndex(segment.uri);
    return index === undefined ? [] : [{ index, durationSeconds: segment.duration }];
  });
}

function mediaPlaylist(
  segments: readonly Segment[],
  uriOf: (segment: Segment) => string,
  fields: Pick<MediaPlaylist, 'mediaSequence' | 'endList'> & Partial<Pick<MediaPlaylist, 'playlistType'>>,
  withDates: boolean,
): MediaPlaylist {
  const modelled = segments.map((segment) => ({
    uri: uriOf(segment),
    duration: segment.durationSeconds,
    discontinuity: segment.discontinuity ?? false,
    ...(withDates && segment.programDateTime ? { programDateTime: segment.programDateTime } : {}),
  }));
  return {
    kind: 'media',
    version: 3,
    targetDuration: targetDurationOf(modelled),
    discontinuitySequence: 0,
    independentSegments: false,
    segments: modelled,
    ...fields,
  };
}

/**
 * A live media playlist of the last `windowSize` segments, each with its EXT-X-PROGRAM-DATE-TIME (as IVS
 * writes them: players place the live edge and measure latency by them); `query` (e.g. `?token=…`) is
 * appended to each segment URI so a private channel's segments carry the viewer's token.
 */
export function renderLivePlaylist(segments: readonly Segment[], windowSize: number, query = ''): string {
  const window = segments.slice(-windowSize);
  const playlist = mediaPlaylist(
    window,
    (segment) => `${segment.index}.ts${query}`,
    {
      mediaSequence: window[0]?.index ?? 0,
      endList: false,
    },
    true,
  );
  return renderPlaylist(playlist, IVS_DURATIONS);
}

/** A recording's media playlist: every segment, and ENDLIST once the recording is over. */
export function renderRecordingPlaylist(segments: readonly Segment[], ended: boolean): string {
  const playlist = mediaPlaylist(
    segments,
    (segment) => `${segment.index}.ts`,
    {
      mediaSequence: 0,
      playlistType: ended ? 'VOD' : 'EVENT',
      endList: ended,
    },
    false,
  );
  return renderPlaylist(playlist, IVS_DURATIONS);
}

export interface VariantInfo {
  name: string;
  width: number;
  height: number;
  /** Peak bits per second (BANDWIDTH). */
  bandwidth: number;
  /** Average bits per second (AVERAGE-BANDWIDTH), once the whole rendition is known. */
  averageBandwidth?: number;
  codecs: string;
}

/**
 * The ladder labelled from what its segments measure. `so-far` (a live stream, a recording still going):
 * BANDWIDTH is the larger of the rung's declared rate and the peak segment measured so far, never below a
 * segment already written. `final` (a recording that ended): BANDWIDTH is the measured peak and
 * AVERAGE-BANDWIDTH the measured average. A rendition with no measured segment keeps its declared rate.
 */
export function measuredVariants(
  ladder: readonly VariantInfo[],
  segmentsOf: (rendition: string) => readonly Segment[],
  mode: 'so-far' | 'final',
): VariantInfo[] {
  return ladder.map((rung) => {
    const measured = measureBitrates(
      segmentsOf(rung.name).flatMap((segment) =>
        segment.bytes === undefined
          ? []
          : // The duration a player reads: EXTINF as written, three decimals.
            [
              {
                bytes: segment.bytes,
                duration: Number(segment.durationSeconds.toFixed(IVS_DURATIONS.durationDecimals)),
              },
            ],
      ),
    );
    if (!measured) return { ...rung };
    if (mode === 'final') return { ...rung, bandwidth: measured.peak, averageBandwidth: measured.average };
    return { ...rung, bandwidth: Math.max(rung.bandwidth, measured.peak) };
  });
}

/** A multivariant playlist naming `<name>/playlist.m3u8` for each rendition, best first. */
export function renderMultivariant(variants: readonly VariantInfo[], query = ''): string {
  return renderPlaylist({
    kind: 'multivariant',
    version: 3,
    independentSegments: true,
    media: [],
    variants: variants.map((variant) => ({
      uri: `${ivsHlsNames.renditionPlaylist(variant.name)}${query}`,
      bandwidth: variant.bandwidth,
      ...(variant.averageBandwidth === undefined ? {} : { averageBandwidth: variant.averageBandwidth }),
      resolution: { width: variant.width, height: variant.height },
      codecs: variant.codecs,
      otherAttributes: [{ name: 'VIDEO', value: variant.name, quoted: true }],
    })),
  });
}
