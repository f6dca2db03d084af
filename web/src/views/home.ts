import { call, NotOfferedError, offers } from '../api.ts';
import { currentSession, SignedOutError } from '../auth.ts';
import { every, h, notice, replace } from '../dom.ts';
import type { View } from '../router.ts';
import { streamCard, videoCard } from './cards.ts';

export const homeView: View = {
  signedIn: false,
  async render(root) {
    if (!currentSession()) {
      root.append(
        h('h1', {}, 'Live and on-demand video'),
        h(
          'p',
          { class: 'lead' },
          'Watch live streams and videos, go live from OBS or ffmpeg, upload your videos and cut clips.',
        ),
        h(
          'p',
          { class: 'actions' },
          h('a', { href: '/signup', class: 'button' }, 'Create an account'),
          h('a', { href: '/signin', class: 'button secondary' }, 'Sign in'),
        ),
      );
      return undefined;
    }

    const live = h('ul', { class: 'cards', 'aria-labelledby': 'live-title' });
    const liveSection = h(
      'section',
      { 'aria-labelledby': 'live-title' },
      h('h2', { id: 'live-title' }, 'Live now'),
      live,
    );
    const latest = h('ul', { class: 'cards', 'aria-labelledby': 'latest-title' });
    // The personalized feed (getRecommendations) goes here when the server offers it.
    const feed = h(
      'section',
      { id: 'feed', 'aria-labelledby': 'feed-title', hidden: true },
      h('h2', { id: 'feed-title' }, 'For you'),
    );
    root.append(
      h('h1', {}, 'Home'),
      feed,
      liveSection,
      h(
        'section',
        { 'aria-labelledby': 'latest-title' },
        h('h2', { id: 'latest-title' }, 'Latest videos'),
        latest,
      ),
    );

    const loadLive = async () => {
      if (!offers('listStreams')) {
        replace(live, h('li', { class: 'empty' }, 'Live streams are not available on this server yet.'));
        return;
      }
      try {
        const page = await call('listStreams', { query: { limit: 12 } });
        replace(
          live,
          page.items.length > 0
            ? page.items.map(streamCard)
            : h(
                'li',
                { class: 'empty' },
                'Nobody is live right now. ',
                h('a', { href: '/studio' }, 'Go live yourself'),
                '.',
              ),
        );
      } catch (error) {
        if (error instanceof NotOfferedError) {
          replace(live, h('li', { class: 'empty' }, 'Live streams are not available on this server yet.'));
          return;
        }
        throw error;
      }
    };
    const loadLatest = async () => {
      const page = await call('listVideos', { query: { scope: 'public', limit: 24 } });
      replace(
        latest,
        page.items.length > 0
          ? page.items.map(videoCard)
          : h(
              'li',
              { class: 'empty' },
              'No public videos yet. ',
              h('a', { href: '/studio' }, 'Upload one'),
              '.',
            ),
      );
    };
    const results = await Promise.allSettled([loadLive(), loadLatest()]);
    for (const result of results) {
      // A session that ended sends the user to sign in, as everywhere else.
      if (result.status === 'rejected' && result.reason instanceof SignedOutError) throw result.reason;
      if (result.status === 'rejected') {
        root.append(
          notice(result.reason instanceof Error ? result.reason.message : String(result.reason), 'alert'),
        );
      }
    }
    // Who is live changes by the minute: refresh it quietly.
    return every(15_000, loadLive);
  },
};
