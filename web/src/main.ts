/**
 * Skycast's web app: vanilla TypeScript, no framework. The first page stays small (accounts, home); the watch
 * page with its players and the studio with its uploader load when they are opened.
 */
import './styles.css';
import { loadSettings, NotOfferedError } from './api.ts';
import { currentSession, onSessionChange, SignedOutError, signOut } from './auth.ts';
import { announce, h, notice, replace } from './dom.ts';
import { match, navigate, route, startRouter } from './router.ts';
import { appRoutes } from './routes.ts';

for (const { path, load } of appRoutes) route(path, load);

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
let leave: (() => void) | undefined;
let renderCount = 0;

function renderNav(): void {
  const session = currentSession();
  const here = location.pathname;
  const link = (href: string, label: string) =>
    h('li', {}, h('a', { href, 'aria-current': here === href ? 'page' : undefined }, label));
  replace(
    nav,
    h(
      'ul',
      {},
      link('/', 'Home'),
      session
        ? [
            link('/studio', 'Studio'),
            link('/account', 'Account'),
            h(
              'li',
              {},
              h(
                'button',
                {
                  type: 'button',
                  class: 'link-button',
                  onclick: async () => {
                    await signOut();
                    announce('You are signed out.');
                    navigate('/signin');
                  },
                },
                'Sign out',
              ),
            ),
          ]
        : [link('/signin', 'Sign in'), link('/signup', 'Create an account')],
    ),
  );
}

async function render(): Promise<void> {
  const count = ++renderCount;
  leave?.();
  leave = undefined;
  renderNav();
  const found = match(location.pathname);
  if (!found) {
    replace(
      main,
      h('h1', { tabindex: '-1' }, 'Page not found'),
      h('p', {}, 'There is nothing at this address. ', h('a', { href: '/' }, 'Go to the home page'), '.'),
    );
    focusHeading();
    return;
  }
  try {
    const view = await found.load();
    if (count !== renderCount) return;
    if (view.signedIn && !currentSession()) {
      navigate(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
      return;
    }
    const root = h('div', { class: 'view' });
    replace(main, root);
    const cleanup = await view.render(root, found.params);
    if (count !== renderCount) {
      cleanup?.();
      return;
    }
    leave = cleanup;
    focusHeading();
  } catch (error) {
    if (count !== renderCount) return;
    if (error instanceof SignedOutError) {
      navigate(`/signin?next=${encodeURIComponent(location.pathname)}`, { replace: true });
      announce(error.message);
      return;
    }
    const message =
      error instanceof NotOfferedError
        ? `${error.message} Ask whoever runs this Skycast to update it.`
        : error instanceof Error
          ? error.message
          : String(error);
    replace(main, h('h1', { tabindex: '-1' }, 'Something went wrong'), notice(message, 'alert'));
    focusHeading();
  }
}

/** After a navigation, the page's heading gets focus, so screen readers say where the user is. */
function focusHeading(): void {
  const heading = main.querySelector('h1');
  if (heading) {
    document.title = `${heading.textContent} · Skycast`;
    if (renderCount > 1) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: false });
    }
  }
}

onSessionChange(() => renderNav());

async function start(): Promise<void> {
  try {
    await loadSettings();
  } catch (error) {
    replace(main, notice(error instanceof Error ? error.message : String(error), 'alert'));
    return;
  }
  startRouter(() => void render());
}

void start();
