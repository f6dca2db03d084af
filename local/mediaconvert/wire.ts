/**
 * MediaConvert's REST-JSON wire format, read from the SDK's own schemas: the JSON member names
 * (`jsonName`: `outputGroups`, `hlsGroupSettings`, …), timestamps as epoch seconds, lists and maps. The
 * schemas exported by `@aws-sdk/client-mediaconvert` are what the real client serialises requests and
 * parses responses with, so converting through them keeps the emulator's wire shapes exactly the SDK's,
 * down to the deepest job setting, without a hand-written name table that could drift.
 */

/** A schema as the SDK exports it (a Smithy "static schema": nested arrays, numbers for simple types). */
export type StaticSchema = unknown;

/** Simple types by their numeric code in Smithy static schemas. */
const SIMPLE = {
  string: 0,
  number: 1,
  boolean: 2,
  timestampDefault: 4,
  timestampDateTime: 5,
  timestampHttpDate: 6,
  timestampEpochSeconds: 7,
  document: 15,
  bigInteger: 17,
  bigDecimal: 19,
  blob: 21,
} as const;
const LIST_MODIFIER = 64;
const MAP_MODIFIER = 128;

/** Structure kinds by the first element of a static schema array. */
const KIND = { simple: 0, list: 1, map: 2, structure: 3, error: -3 } as const;

type Traits = Record<string, unknown> | number | undefined;

interface Resolved {
  kind: 'simple' | 'list' | 'map' | 'structure';
  code?: number;
  name?: string;
  members?: { name: string; schema: StaticSchema; traits: Traits }[];
  value?: StaticSchema;
}

/** A member or list value is `[schema, traits]`; a schema may be a thunk (`() => Job$`) for recursion. */
function unwrap(ref: StaticSchema): { schema: StaticSchema; traits: Traits } {
  if (Array.isArray(ref) && ref.length === 2) return { schema: ref[0], traits: ref[1] as Traits };
  return { schema: ref, traits: undefined };
}

function resolve(schema: StaticSchema): Resolved {
  const value = typeof schema === 'function' ? (schema as () => StaticSchema)() : schema;
  if (typeof value === 'number') {
    if (value & MAP_MODIFIER) return { kind: 'map', value: value & ~MAP_MODIFIER };
    if (value & LIST_MODIFIER) return { kind: 'list', value: value & ~LIST_MODIFIER };
    return { kind: 'simple', code: value };
  }
  if (!Array.isArray(value)) throw new Error(`Unknown schema form: ${String(value)}`);
  const [kind, , name] = value as [number, string, string];
  switch (kind) {
    case KIND.structure:
    case KIND.error: {
      const names = value[4] as string[];
      const schemas = value[5] as StaticSchema[];
      return {
        kind: 'structure',
        name,
        members: names.map((memberName, i) => ({ name: memberName, ...unwrap(schemas[i]) })),
      };
    }
    case KIND.list:
      return { kind: 'list', name, value: unwrap(value[4]).schema };
    case KIND.map:
      return { kind: 'map', name, value: unwrap(value[5]).schema };
    case KIND.simple:
      return resolve(unwrap(value[4]).schema);
    default:
      throw new Error(`Unsupported schema kind ${kind} (${name})`);
  }
}

function jsonName(member: { name: string; traits: Traits }): string {
  const traits = member.traits;
  if (traits && typeof traits === 'object' && typeof traits.jsonName === 'string') return traits.jsonName;
  return member.name;
}

/** Whether a member travels in the URI, query string or headers rather than in the JSON body. */
function isHttpBound(traits: Traits): boolean {
  if (typeof traits === 'number') return traits !== 0;
  return (
    !!traits &&
    ('httpLabel' in traits || 'httpQuery' in traits || 'httpHeader' in traits || 'httpQueryParams' in traits)
  );
}

const isTimestamp = (code: number | undefined) =>
  code === SIMPLE.timestampDefault ||
  code === SIMPLE.timestampDateTime ||
  code === SIMPLE.timestampEpochSeconds ||
  code === SIMPLE.timestampHttpDate;

/** A wire document that does not fit the schema, with the JSON pointer of the offending member. */
export class WireShapeError extends Error {
  override name = 'WireShapeError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path || '/'}: ${message}`);
  }
}

/** SDK-shaped value (PascalCase members, Date timestamps) → wire JSON (jsonName members, epoch seconds). */
export function toWire(schema: StaticSchema, value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  const resolved = resolve(schema);
  switch (resolved.kind) {
    case 'simple':
      if (isTimestamp(resolved.code) && value instanceof Date) return value.getTime() / 1000;
      return value;
    case 'list':
      return (value as unknown[]).map((item) => toWire(resolved.value, item));
    case 'map':
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([key, item]) => [
          key,
          toWire(resolved.value, item),
        ]),
      );
    case 'structure': {
      const out: Record<string, unknown> = {};
      const input = value as Record<string, unknown>;
      for (const member of resolved.members ?? []) {
        if (isHttpBound(member.traits)) continue;
        const wire = toWire(member.schema, input[member.name]);
        if (wire !== undefined) out[jsonName(member)] = wire;
      }
      return out;
    }
  }
}

function expectType(path: string, value: unknown, type: string, ok: boolean): void {
  if (!ok) throw new WireShapeError(path, `expected ${type}, got ${JSON.stringify(value)}`);
}

/**
 * Wire JSON → SDK-shaped value. Members the schema does not know are refused with their path: a request
 * the emulator cannot read fully must not be half-understood.
 */
export function fromWire(schema: StaticSchema, value: unknown, path = ''): unknown {
  if (value === undefined || value === null) return undefined;
  const resolved = resolve(schema);
  switch (resolved.kind) {
    case 'simple': {
      const code = resolved.code;
      if (isTimestamp(code)) {
        expectType(path, value, 'a timestamp', typeof value === 'number' || typeof value === 'string');
        return typeof value === 'number' ? new Date(value * 1000) : new Date(value as string);
      }
      if (code === SIMPLE.string) expectType(path, value, 'a string', typeof value === 'string');
      if (code === SIMPLE.number) expectType(path, value, 'a number', typeof value === 'number');
      if (code === SIMPLE.boolean) expectType(path, value, 'a boolean', typeof value === 'boolean');
      return value;
    }
    case 'list':
      expectType(path, value, 'a list', Array.isArray(value));
      return (value as unknown[]).map((item, i) => fromWire(resolved.value, item, `${path}/${i}`));
    case 'map':
      expectType(path, value, 'an object', typeof value === 'object' && !Array.isArray(value));
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([key, item]) => [
          key,
          fromWire(resolved.value, item, `${path}/${key}`),
        ]),
      );
    case 'structure': {
      expectType(path, value, 'an object', typeof value === 'object' && !Array.isArray(value));
      const byJsonName = new Map(
        (resolved.members ?? [])
          .filter((member) => !isHttpBound(member.traits))
          .map((member) => [jsonName(member), member]),
      );
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        const member = byJsonName.get(key);
        const memberPath = `${path}/${key}`;
        if (!member) throw new WireShapeError(memberPath, `${resolved.name} has no member "${key}"`);
        const parsed = fromWire(member.schema, item, memberPath);
        if (parsed !== undefined) out[member.name] = parsed;
      }
      return out;
    }
  }
}
