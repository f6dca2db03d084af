/**
 * A disclaimer before playback ("Contains flashing lights"): the video or stream does not start until the
 * viewer has read it and chosen to go on. Dismissed once per video or stream per browser session.
 */
import { h } from '../dom.ts';

const key = (id: string) => `skycast:disclaimer-seen:${id}`;

/** Whether this viewer already dismissed the disclaimer of `id` in this session. */
export function disclaimerDismissed(id: string): boolean {
  try {
    return sessionStorage.getItem(key(id)) === '1';
  } catch {
    return false;
  }
}

/** A card in the player's place with the disclaimer; `onContinue` runs when the viewer goes on. */
export function disclaimerGate(id: string, text: string, onContinue: () => void): HTMLElement {
  const heading = h('h2', { id: `disclaimer-${id}` }, 'Before you watch');
  const button = h(
    'button',
    {
      type: 'button',
      class: 'button',
      onclick: () => {
        try {
          sessionStorage.setItem(key(id), '1');
        } catch {
          // Private windows may refuse storage: the disclaimer then shows again next time.
        }
        onContinue();
      },
    },
    'Continue to the video',
  );
  const card = h(
    'div',
    { class: 'player-placeholder disclaimer-gate', role: 'dialog', 'aria-labelledby': heading.id },
    heading,
    h('p', { class: 'disclaimer-text' }, text),
    button,
  );
  queueMicrotask(() => button.focus());
  return card;
}
