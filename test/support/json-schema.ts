/**
 * A small JSON Schema (2020-12) checker for the keywords our OpenAPI document uses, so tests can hold real
 * answers against the document itself rather than against the zod schemas it was made from. A keyword it does
 * not know is reported as a problem, never skipped: a schema it cannot judge does not pass by accident.
 */

type Schema = Record<string, unknown>;

/** Keywords that describe and do not constrain. */
const ANNOTATIONS = new Set(['description', 'default', 'title', 'examples', 'format', 'id', 'deprecated']);

const KNOWN = new Set([
  ...ANNOTATIONS,
  '$ref',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'oneOf',
  'anyOf',
  'allOf',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Follows a local `#/…` reference inside `root`. */
export function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
}

/** What is wrong with `value` against `schema` (its `$ref`s resolved in `root`); empty when it matches. */
export function schemaProblems(value: unknown, schema: Schema, root: unknown, at = '$'): string[] {
  const problems: string[] = [];
  for (const keyword of Object.keys(schema)) {
    if (!KNOWN.has(keyword)) problems.push(`${at}: the checker does not know the keyword ${keyword}`);
  }
  if (typeof schema.$ref === 'string') {
    const target = resolvePointer(root, schema.$ref);
    if (!target || typeof target !== 'object') return [...problems, `${at}: ${schema.$ref} does not resolve`];
    problems.push(...schemaProblems(value, target as Schema, root, at));
  }
  const actual = typeOf(value);
  if (schema.type !== undefined) {
    const allowed = ([] as unknown[]).concat(schema.type);
    const fits = allowed.includes(actual) || (actual === 'integer' && allowed.includes('number'));
    if (!fits) return [...problems, `${at}: is ${actual}, not ${allowed.join(' or ')}`];
  }
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) problems.push(`${at}: not one of the enum`);
  if ('const' in schema && schema.const !== value)
    problems.push(`${at}: is not ${JSON.stringify(schema.const)}`);
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) problems.push(`${at}: below minimum`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) problems.push(`${at}: above maximum`);
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum)
      problems.push(`${at}: not above exclusiveMinimum`);
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum)
      problems.push(`${at}: not below exclusiveMaximum`);
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof schema.minLength === 'number' && length < schema.minLength) problems.push(`${at}: too short`);
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) problems.push(`${at}: too long`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
      problems.push(`${at}: does not match ${schema.pattern}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems)
      problems.push(`${at}: too few`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems)
      problems.push(`${at}: too many`);
    if (schema.items && typeof schema.items === 'object') {
      value.forEach((item, index) => {
        problems.push(...schemaProblems(item, schema.items as Schema, root, `${at}[${index}]`));
      });
    }
  }
  if (actual === 'object') {
    const record = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const name of (schema.required ?? []) as string[]) {
      if (!(name in record)) problems.push(`${at}: lacks ${name}`);
    }
    for (const [name, item] of Object.entries(record)) {
      const property = properties[name];
      if (property) problems.push(...schemaProblems(item, property, root, `${at}.${name}`));
      else if (schema.additionalProperties === false) problems.push(`${at}: has no property ${name}`);
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
        problems.push(...schemaProblems(item, schema.additionalProperties as Schema, root, `${at}.${name}`));
    }
  }
  for (const part of (schema.allOf ?? []) as Schema[])
    problems.push(...schemaProblems(value, part, root, at));
  if (schema.anyOf) {
    const fits = (schema.anyOf as Schema[]).some(
      (part) => schemaProblems(value, part, root, at).length === 0,
    );
    if (!fits) problems.push(`${at}: matches none of anyOf`);
  }
  if (schema.oneOf) {
    const fits = (schema.oneOf as Schema[]).filter(
      (part) => schemaProblems(value, part, root, at).length === 0,
    ).length;
    if (fits !== 1) problems.push(`${at}: matches ${fits} of oneOf, not exactly one`);
  }
  return problems;
}
