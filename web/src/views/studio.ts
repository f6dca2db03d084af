/**
 * The studio: go live, upload a video, and the user's videos, each section its own module in `studio/`.
 * The upload section, with Uppy, loads when the studio opens, not with the app.
 */

import { h } from '../dom.ts';
import type { View } from '../router.ts';
import { goLiveSection } from '../studio/go-live.ts';
import { myVideosSection } from '../studio/my-videos.ts';

export const studioView: View = {
  signedIn: true,
  async render(root) {
    root.append(
      h('h1', {}, 'Studio'),
      h(
        'nav',
        { 'aria-label': 'Studio sections', class: 'subnav' },
        h('a', { href: '#live' }, 'Go live'),
        h('a', { href: '#upload' }, 'Upload'),
        h('a', { href: '#videos' }, 'My videos'),
      ),
    );
    const stops: (() => void)[] = [];
    const videos = myVideosSection();
    stops.push(videos.stop);
    const live = await goLiveSection();
    stops.push(live.stop);
    const { uploadSection } = await import('../studio/upload.ts');
    const upload = uploadSection(() => videos.refresh());
    stops.push(upload.stop);
    root.append(live.element, upload.element, videos.element);
    await videos.refresh();
    return () => {
      for (const stop of stops) stop();
    };
  },
};
