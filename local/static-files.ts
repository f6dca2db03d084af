import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
};

export interface StaticFile {
  contentType: string;
  body: Buffer;
}

/**
 * Reads the file a URL path names under `root` (`/` is `index.html`), or undefined when there is none.
 * Paths are decoded once and must stay inside `root`: no `..`, no encoded separators, no NUL.
 */
export async function readStaticFile(root: string, urlPath: string): Promise<StaticFile | undefined> {
  let path: string;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (path.includes('\0') || path.includes('\\')) return undefined;
  if (path.endsWith('/')) path += 'index.html';
  const base = resolve(root);
  const file = resolve(join(base, path));
  if (!file.startsWith(base + sep)) return undefined;
  try {
    // A symbolic link must not lead out of the root either.
    if (!(await realpath(file)).startsWith((await realpath(base)) + sep)) return undefined;
    if (!(await stat(file)).isFile()) return undefined;
    return {
      contentType: CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      body: await readFile(file),
    };
  } catch {
    return undefined;
  }
}

/**
 * The headers a file of the web app is served with: its type, revalidation on every load (the build's file
 * names change with their content, the shell's does not), and the security headers of the web distribution's
 * response headers policy, the Content-Security-Policy `policy` among them.
 */
export function webAppHeaders(file: StaticFile, policy: string): Record<string, string> {
  return {
    'content-type': file.contentType,
    'cache-control': 'no-cache',
    'content-security-policy': policy,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
  };
}
