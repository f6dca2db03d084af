/**
 * Client-side routes. Paths never start with /videos/, /ivs/, /media, /api, /cognito or /local: those are media
 * and API paths on the same origin (the contract's rule, so the CDN can route them).
 */

export interface View {
  /** Renders into `root`; returns what to do when the user leaves (stop polling, destroy players). */
  render(root: HTMLElement, params: Record<string, string>): Promise<(() => void) | undefined>;
  /** Signed-out users are sent to sign in first. */
  signedIn: boolean;
}

interface Route {
  pattern: RegExp;
  names: string[];
  load: () => Promise<View>;
}

const routes: Route[] = [];

/** `/watch/video/:videoId` → a route whose `:videoId` becomes a parameter. */
export function route(path: string, load: () => Promise<View>): void {
  const names: string[] = [];
  const pattern = new RegExp(
    `^${path.replace(/:([a-zA-Z]+)/g, (_match, name: string) => {
      names.push(name);
      return '([^/]+)';
    })}/?$`,
  );
  routes.push({ pattern, names, load });
}

export function match(
  pathname: string,
): { load: () => Promise<View>; params: Record<string, string> } | undefined {
  for (const candidate of routes) {
    const found = candidate.pattern.exec(pathname);
    if (!found) continue;
    const params: Record<string, string> = {};
    candidate.names.forEach((name, index) => {
      params[name] = decodeURIComponent(found[index + 1] ?? '');
    });
    return { load: candidate.load, params };
  }
  return undefined;
}

let onNavigate: (() => void) | undefined;

export function startRouter(handler: () => void): void {
  onNavigate = handler;
  window.addEventListener('popstate', handler);
  // Same-origin links to app routes navigate without a reload.
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
      return;
    const link = (event.target as Element | null)?.closest('a');
    if (!link || link.target || link.hasAttribute('download')) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || !match(url.pathname)) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
  handler();
}

export function navigate(to: string, { replace = false } = {}): void {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  onNavigate?.();
}
