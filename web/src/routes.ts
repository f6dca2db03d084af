/**
 * The app's pages. Paths never start with a media or API path of the same origin (see RESERVED_PREFIXES): the
 * CDN and the local origin send those elsewhere, and answer everything else with the app.
 */
import type { View } from './router.ts';

/** Where media, the API, Cognito and the local outbox live on the app's own origin. */
export const RESERVED_PREFIXES = ['/videos/', '/ivs/', '/media', '/api', '/cognito', '/local'] as const;

export const appRoutes: { path: string; load: () => Promise<View> }[] = [
  { path: '/', load: () => import('./views/home.ts').then((module) => module.homeView) },
  { path: '/signin', load: () => import('./views/account.ts').then((module) => module.signInView) },
  { path: '/signup', load: () => import('./views/account.ts').then((module) => module.signUpView) },
  { path: '/confirm', load: () => import('./views/account.ts').then((module) => module.confirmView) },
  { path: '/account', load: () => import('./views/account.ts').then((module) => module.profileView) },
  {
    path: '/watch/video/:videoId',
    load: () => import('./views/watch.ts').then((module) => module.watchVideoView),
  },
  {
    path: '/watch/live/:streamId',
    load: () => import('./views/watch.ts').then((module) => module.watchLiveView),
  },
  { path: '/studio', load: () => import('./views/studio.ts').then((module) => module.studioView) },
];
