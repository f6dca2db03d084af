/** Reading a request's header fields as HTTP defines them (RFC 7230 §3.2). */
import type { IncomingMessage } from 'node:http';

/** Optional whitespace around a field value or a list element (RFC 7230 §3.2.3). */
export const OWS = /^[ \t]+|[ \t]+$/g;

/** A field's value; a field sent more than once is the comma-joined list of its values (§3.2.2). */
export const header = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};
