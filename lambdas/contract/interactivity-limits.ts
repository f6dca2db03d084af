/**
 * Live interactivity's numbers and the in-band envelopes, without zod: the web app imports these at run time
 * (lambdas/contract/interactivity.ts re-exports them beside the request schemas).
 */
import type { AdBreak, Announcement } from './interactivity.ts';

export type { AdBreak, Announcement };

/** IVS `PutMetadata`'s limits: the payload, calls per second per channel and per account. */
export const PUT_METADATA_LIMITS = {
  maxBytes: 1024,
  callsPerSecondPerChannel: 5,
  callsPerSecondPerAccount: 155,
} as const;
export const METADATA_MAX_BYTES = PUT_METADATA_LIMITS.maxBytes;

/** The reactions a viewer can send; the web app draws each as its emoji. */
export const REACTIONS = ['heart', 'laugh', 'wow', 'clap', 'fire'] as const;
export type Reaction = (typeof REACTIONS)[number];
export type ReactionCounts = Partial<Record<Reaction, number>>;

/**
 * The per-viewer limit on reactions to one stream: at most `max` in a fixed window of `windowSeconds`
 * (a person tapping fast is fine; a script is not). Over it: 429 with `Retry-After` until the window ends.
 */
export const REACTION_RATE_LIMIT = { max: 20, windowSeconds: 10 } as const;

/** An ad break's length. */
export const AD_BREAK_SECONDS = { min: 5, max: 180 } as const;
/** How far ahead an ad break may be scheduled; one asked for less than `AD_BREAK_NOW_SECONDS` ahead starts now. */
export const AD_BREAK_MAX_LEAD_SECONDS = 24 * 60 * 60;
export const AD_BREAK_NOW_SECONDS = 5;

export const ANNOUNCEMENT_KINDS = ['news', 'disclaimer'] as const;
export type AnnouncementKind = (typeof ANNOUNCEMENT_KINDS)[number];

/**
 * How the payload travels in the segments: IVS (and the local IVS) wrap it in an ID3v2.4 tag with one `TXXX`
 * frame whose value is the payload; the IVS player hands the value over as a `TextMetadataCue`'s `text`, hls.js as
 * an ID3 cue whose `value` is `{ key: 'TXXX', data: <payload> }`.
 */
export const ID3_METADATA_FRAME = 'TXXX';

/** What goes in-band, one per `PutMetadata` call: the JSON of one of these, at most METADATA_MAX_BYTES. */
export type LiveMetadata =
  | {
      v: 1;
      type: 'reactions';
      /** Reactions accepted since the previous reactions envelope of this channel. */
      counts: ReactionCounts;
      /** When the API accepted the earliest and the latest of them (ISO): what the window covers. */
      first: string;
      last: string;
    }
  | { v: 1; type: 'announcement'; announcement: Announcement }
  | {
      v: 1;
      type: 'adBreak';
      adBreak: Pick<AdBreak, 'adBreakId' | 'startsAt' | 'durationSeconds' | 'creativeVideoId'>;
    };
