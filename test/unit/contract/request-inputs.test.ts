/**
 * Every value a client sends, in every operation of the route table, against the two rules requests keep:
 * numbers are bounded to what DynamoDB stores (finite, in range, at a precision we keep), and free text
 * follows the contract's text rule (no control, bidi or lone-surrogate characters, not invisible-only).
 * A new operation with a body needs an example here, so that its fields are walked too.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as z from 'zod';
import { isStorableNumber } from '#contract/numbers.ts';
import { routes } from '#contract/routes.ts';

/** A valid body for every operation that takes one, with every string and number field present. */
const VALID_BODIES: Record<string, unknown> = {
  createUpload: {
    fileName: 'talk.mp4',
    size: 1000,
    contentType: 'video/mp4',
    title: 'A talk',
    description: 'Two lines\nof description',
    visibility: 'public',
  },
  completeUpload: { parts: [{ partNumber: 1, etag: '"0123abcd"' }] },
  updateVideo: {
    title: 'New title',
    description: 'About it',
    visibility: 'unlisted',
    disclaimer: 'Contains flashing lights',
    sponsorCreative: true,
  },
  createClip: { title: 'Best bit', startSeconds: 1.5, endSeconds: 7.25, visibility: 'public' },
  startStream: {
    title: 'Live now',
    category: 'Just chatting',
    tags: ['speedrun'],
    visibility: 'public',
    disclaimer: 'Contains flashing lights',
  },
  sendReaction: { reaction: 'heart' },
  postAnnouncement: { kind: 'news', text: 'Back after the break', durationSeconds: 20 },
  scheduleAdBreak: { durationSeconds: 30, creativeVideoId: 'sponsor-1' },
  updatePreferences: { categories: ['music'], tags: ['jazz'], language: 'en' },
};

const BAD_TEXT = ['\u0000', '\u0007', '\u001b[2J', '\r\n', '\u202E', '\u2066', '\ud800', '\u0085'];
const BAD_NUMBERS = [
  1e-320,
  5e-324,
  -0,
  1e300,
  -1e300,
  Number.MAX_VALUE,
  1.0000000000000002,
  123456.78912345678,
];

type Leaf = { path: (string | number)[]; value: string | number };

function leaves(value: unknown, path: (string | number)[] = []): Leaf[] {
  if (typeof value === 'string' || typeof value === 'number') return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((item, i) => leaves(item, [...path, i]));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) => leaves(item, [...path, key]));
  return [];
}

function withLeaf(body: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1) as string | number] = value;
  return copy;
}

function at(value: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)?.[key], value);
}

/** Every number in a JSON schema, by where it is. */
function numberSchemas(schema: unknown, path = ''): { path: string; schema: Record<string, unknown> }[] {
  if (!schema || typeof schema !== 'object') return [];
  const node = schema as Record<string, unknown>;
  const own = node.type === 'number' || node.type === 'integer' ? [{ path, schema: node }] : [];
  const nested = Object.entries(node).flatMap(([key, child]) =>
    key === 'properties' && child && typeof child === 'object'
      ? Object.entries(child).flatMap(([name, property]) => numberSchemas(property, `${path}.${name}`))
      : numberSchemas(child, key === 'items' ? `${path}[]` : path),
  );
  return [...own, ...nested];
}

const inputs = routes.flatMap((route) =>
  (['body', 'query', 'params'] as const).flatMap((part) => {
    const schema = route.operation[part];
    return schema ? [{ operationId: route.operation.operationId, part, schema }] : [];
  }),
);

describe('request inputs of every operation', () => {
  it('have an example body for each operation that takes one, and each example is valid', () => {
    for (const route of routes.filter((r) => r.operation.body)) {
      const { operationId, body } = route.operation;
      assert.ok(operationId in VALID_BODIES, `add an example body for ${operationId}`);
      const parsed = (body as z.ZodType).safeParse(VALID_BODIES[operationId]);
      assert.ok(parsed.success, `${operationId}: ${parsed.success ? '' : parsed.error.message}`);
    }
  });

  it('bound every number: finite minimum and maximum within what DynamoDB stores', () => {
    const found: string[] = [];
    for (const { operationId, part, schema } of inputs) {
      const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
      for (const { path, schema: number } of numberSchemas(json)) {
        const where = `${operationId} ${part}${path}`;
        found.push(where);
        const low = (number.minimum ?? number.exclusiveMinimum) as number | undefined;
        const high = (number.maximum ?? number.exclusiveMaximum) as number | undefined;
        assert.ok(low !== undefined && isStorableNumber(low), `${where} has a storable minimum`);
        assert.ok(high !== undefined && isStorableNumber(high), `${where} has a storable maximum`);
      }
    }
    assert.ok(found.includes('createClip body.startSeconds'), found.join(', '));
    assert.ok(found.includes('createUpload body.size'));
    assert.ok(found.includes('listVideos query.limit'));
  });

  for (const [operationId, body] of Object.entries(VALID_BODIES)) {
    const route = routes.find((r) => r.operation.operationId === operationId);
    const schema = route?.operation.body as z.ZodType;

    it(`${operationId}: refuses or rounds every number a client could send to one DynamoDB stores`, () => {
      for (const leaf of leaves(body).filter((l) => typeof l.value === 'number')) {
        for (const sent of BAD_NUMBERS) {
          const parsed = schema.safeParse(withLeaf(body, leaf.path, sent));
          if (!parsed.success) continue;
          const stored = at(parsed.data, leaf.path) as number;
          assert.ok(isStorableNumber(stored), `${leaf.path.join('.')} = ${sent} stored as ${stored}`);
          assert.ok(Object.is(stored, 0) || stored !== 0 || sent === 0, 'no negative zero');
          assert.ok(
            Number.isInteger(stored) || Math.abs(stored * 1000 - Math.round(stored * 1000)) < 1e-6,
            `${leaf.path.join('.')} = ${sent} kept to the millisecond at most (${stored})`,
          );
        }
      }
    });

    it(`${operationId}: lets no control, bidi or lone-surrogate character into any text field`, () => {
      for (const leaf of leaves(body).filter((l) => typeof l.value === 'string')) {
        for (const bad of BAD_TEXT) {
          for (const sent of [`${leaf.value}${bad}x`, bad, `\u200b${bad}`]) {
            const parsed = schema.safeParse(withLeaf(body, leaf.path, sent));
            if (!parsed.success) continue;
            const stored = JSON.stringify(at(parsed.data, leaf.path));
            assert.ok(
              !stored.includes(JSON.stringify(bad).slice(1, -1)),
              `${leaf.path.join('.')} kept ${stored}`,
            );
          }
        }
        const invisible = schema.safeParse(withLeaf(body, leaf.path, '\u200b\u200c\u2060'));
        if (invisible.success) {
          const stored = at(invisible.data, leaf.path);
          assert.ok(stored === undefined || stored === '', `${leaf.path.join('.')} stored invisible text`);
        }
      }
    });
  }
});
