/**
 * What a live stream's viewers do and see besides the video: the reaction bar (sendReaction), the reactions of
 * everyone floating over the picture and a running tally, and the owner's announcements — a news flash in the
 * lower third, a disclaimer over the video. Both arrive in-band (live-metadata.ts), so each shows at the moment
 * of the video it belongs to; a viewer who joins while an announcement lasts gets it from watchStream.
 */
import {
  type Announcement,
  REACTIONS,
  type Reaction,
  type ReactionCounts,
} from '#contract/interactivity-limits.ts';
import { ApiError, call, offers, type StreamView } from '../api.ts';
import { announce, h } from '../dom.ts';
import { playAdBreak } from './ad-break.ts';
import { announcementSeconds, parseLiveMetadata } from './live-metadata.ts';

const REACTION_EMOJI: Record<Reaction, string> = {
  heart: '❤️',
  laugh: '😂',
  wow: '😮',
  clap: '👏',
  fire: '🔥',
};
const REACTION_NAMES: Record<Reaction, string> = {
  heart: 'Love',
  laugh: 'Laugh',
  wow: 'Wow',
  clap: 'Applause',
  fire: 'Fire',
};
/** Bubbles drawn for one envelope at most: a burst of thousands is shown as a burst, not thousands of nodes. */
const MAX_BUBBLES = 24;

export interface LiveInteractivity {
  /** The reaction bar and tally, to put under the player. */
  bar: HTMLElement;
  /** The text of an in-band cue (the player's onMetadata). */
  onMetadata(text: string): void;
  /** What watchStream said now (totals, the announcement showing): shown where nothing newer came in-band. */
  update(stream: StreamView): void;
  /** The player's overlay to draw bursts, announcements and ad breaks in, and its video (paused for a break). */
  attach(overlay: HTMLElement, video: HTMLVideoElement): void;
  destroy(): void;
}

export function liveInteractivity(streamId: string): LiveInteractivity {
  let overlay: HTMLElement | undefined;
  let liveVideo: HTMLVideoElement | undefined;
  /** The ad breaks seen (in-band or from watchStream), so each plays once; and the one playing. */
  const breaksSeen = new Set<string>();
  let endBreak: (() => void) | undefined;
  const zero = () =>
    Object.fromEntries(REACTIONS.map((reaction) => [reaction, 0])) as Record<Reaction, number>;
  /**
   * The tally: the catalog's exact totals at the last watchStream, plus what came in-band since that was
   * accepted after it (an envelope says when its reactions were accepted), so nothing counts twice.
   */
  let base = zero();
  let since = zero();
  let baseAt = 0;
  const tallies = new Map<Reaction, HTMLElement>();
  const status = h('p', { class: 'reaction-status', role: 'status' });
  const buttons = REACTIONS.map((reaction) => {
    const count = h('span', { class: 'reaction-count' }, '0');
    tallies.set(reaction, count);
    return h(
      'button',
      {
        type: 'button',
        class: 'reaction-button',
        'data-reaction': reaction,
        'aria-label': `${REACTION_NAMES[reaction]} (send a reaction)`,
        onclick: () => void send(reaction),
      },
      h('span', { 'aria-hidden': 'true' }, REACTION_EMOJI[reaction]),
      count,
    );
  });
  const bar = h(
    'div',
    { class: 'reaction-bar', role: 'group', 'aria-label': 'Reactions' },
    offers('sendReaction') ? buttons : null,
    status,
  );
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (ms: number, task: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      task();
    }, ms);
    timers.add(timer);
  };
  let shown: { id: string; element: HTMLElement } | undefined;
  let pausedUntil = 0;

  const renderTotals = () => {
    for (const reaction of REACTIONS) {
      const tally = tallies.get(reaction);
      if (tally) tally.textContent = String(base[reaction] + since[reaction]);
    }
  };

  async function send(reaction: Reaction) {
    if (Date.now() < pausedUntil) return;
    try {
      await call('sendReaction', { params: { streamId }, body: { reaction } });
      status.textContent = '';
    } catch (error) {
      if (error instanceof ApiError && error.status === 429) {
        status.textContent = 'That is a lot of reactions: wait a few seconds.';
        pausedUntil = Date.now() + 3000;
      } else if (error instanceof ApiError && error.status === 409) {
        status.textContent = 'The stream is not live.';
      } else {
        status.textContent = 'Your reaction did not go through; try again.';
      }
    }
  }

  function burst(counts: ReactionCounts) {
    if (!overlay) return;
    const bubbles = REACTIONS.flatMap(
      (reaction) => Array(counts[reaction] ?? 0).fill(reaction) as Reaction[],
    );
    for (const reaction of bubbles.slice(0, MAX_BUBBLES)) {
      const bubble = h(
        'span',
        { class: 'reaction-bubble', 'data-reaction': reaction, 'aria-hidden': 'true' },
        REACTION_EMOJI[reaction],
      );
      bubble.style.left = `${10 + Math.random() * 80}%`;
      bubble.style.animationDelay = `${Math.random() * 0.6}s`;
      overlay.append(bubble);
      later(3200, () => bubble.remove());
    }
  }

  function startBreak(adBreak: Parameters<typeof playAdBreak>[2], seconds: number) {
    if (!overlay || !liveVideo || seconds <= 0 || breaksSeen.has(adBreak.adBreakId)) return;
    breaksSeen.add(adBreak.adBreakId);
    endBreak?.();
    // Reactions belong to the stream: none while the creative plays in its place.
    for (const button of buttons) button.disabled = true;
    endBreak = playAdBreak(overlay, liveVideo, adBreak, seconds, () => {
      endBreak = undefined;
      for (const button of buttons) button.disabled = false;
    });
  }

  function showAnnouncement(announcement: Announcement, seconds: number) {
    if (!overlay || seconds <= 0 || shown?.id === announcement.announcementId) return;
    shown?.element.remove();
    const element =
      announcement.kind === 'news'
        ? h(
            'div',
            { class: 'lower-third', role: 'status', 'data-announcement': announcement.announcementId },
            h('span', { class: 'lower-third-label' }, 'News'),
            h('span', { class: 'lower-third-text' }, announcement.text),
          )
        : h(
            'div',
            { class: 'live-notice', role: 'alert', 'data-announcement': announcement.announcementId },
            announcement.text,
          );
    overlay.append(element);
    const mine = { id: announcement.announcementId, element };
    shown = mine;
    announce(`${announcement.kind === 'news' ? 'News' : 'Notice'}: ${announcement.text}`);
    later(seconds * 1000, () => {
      if (shown === mine) {
        element.remove();
        shown = undefined;
      }
    });
  }

  return {
    bar,
    attach(element, video) {
      overlay = element;
      liveVideo = video;
    },
    onMetadata(text) {
      const envelope = parseLiveMetadata(text);
      if (!envelope) return;
      if (envelope.type === 'reactions') {
        if (Date.parse(envelope.last) > baseAt) {
          for (const reaction of REACTIONS) since[reaction] += envelope.counts[reaction] ?? 0;
          renderTotals();
        }
        burst(envelope.counts);
      } else if (envelope.type === 'announcement') {
        showAnnouncement(envelope.announcement, announcementSeconds(envelope.announcement));
      } else {
        startBreak(envelope.adBreak, envelope.adBreak.durationSeconds);
      }
    },
    update(stream) {
      if (stream.reactions) {
        base = { ...stream.reactions };
        since = zero();
        baseAt = Date.now();
        renderTotals();
      }
      if (stream.adBreak)
        startBreak(
          stream.adBreak,
          (Date.parse(stream.adBreak.startsAt) + stream.adBreak.durationSeconds * 1000 - Date.now()) / 1000,
        );
      if (stream.announcement && !shown)
        showAnnouncement(stream.announcement, (Date.parse(stream.announcement.endsAt) - Date.now()) / 1000);
    },
    destroy() {
      endBreak?.();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
