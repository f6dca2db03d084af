/**
 * The upload section's list of unfinished uploads this browser remembers: each resumes when the same file is
 * chosen again, or can be discarded here.
 */
import { formatBytes, formatDate, h, replace } from '../dom.ts';
import { discardUpload, forgetSavedUpload, savedUploads } from './skycast-upload.ts';

/** The list's element, and `render` to call whenever an upload starts, stops, finishes or is discarded. */
export function unfinishedUploads(onDiscarded: () => void): { element: HTMLElement; render: () => void } {
  const element = h('div', { class: 'resume-hint' });
  const render = () => {
    const saved = Object.entries(savedUploads());
    replace(
      element,
      saved.length > 0
        ? h(
            'div',
            { class: 'notice' },
            h('p', {}, 'Unfinished uploads — choose the same file above to resume:'),
            h(
              'ul',
              {},
              saved.map(([key, upload]) =>
                h(
                  'li',
                  {},
                  `${upload.title || upload.fileName} (${upload.fileName}, ${formatBytes(upload.size)}, started ${formatDate(upload.savedAt)}) `,
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'link-button',
                      onclick: async () => {
                        try {
                          await discardUpload(upload.videoId);
                        } catch {
                          /* the server could not be reached: it drops unfinished uploads by itself after a while */
                        }
                        forgetSavedUpload(key);
                        render();
                        onDiscarded();
                      },
                    },
                    `Discard ${upload.fileName}`,
                  ),
                ),
              ),
            ),
          )
        : null,
    );
  };
  render();
  return { element, render };
}
