import { invalidSetting, missingSetting, unsupportedSetting } from './errors.ts';

type Plain = Record<string, unknown>;

/**
 * Reads one object of a CreateJob request, member by member, and remembers which members it read:
 * `done()` refuses whatever is left, so a setting the emulator does not reproduce is never silently
 * ignored. Paths are the SDK's member names (`Settings.OutputGroups[0].OutputGroupSettings…`), the names
 * a developer writes in `buildTranscodeJob`.
 */
export class SettingsReader {
  private readonly read = new Set<string>();
  private readonly value: Plain;

  constructor(
    value: unknown,
    readonly path: string,
  ) {
    this.value = (value ?? {}) as Plain;
  }

  private at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  private get(key: string): unknown {
    this.read.add(key);
    return this.value[key];
  }

  has(key: string): boolean {
    return this.value[key] !== undefined;
  }

  string(key: string, options: { required: true }): string;
  string(key: string, options?: { required?: boolean }): string | undefined;
  string(key: string, options: { required?: boolean } = {}): string | undefined {
    const value = this.get(key);
    if (value === undefined) {
      if (options.required) throw missingSetting(this.at(key), 'a string');
      return undefined;
    }
    if (typeof value !== 'string') throw invalidSetting(this.at(key), value, 'Should be a string');
    return value;
  }

  /** One of `allowed`; absent means `fallback` (the value MediaConvert documents as its default). */
  choice<T extends string>(key: string, allowed: readonly T[], fallback: T): T;
  choice<T extends string>(key: string, allowed: readonly T[]): T | undefined;
  choice<T extends string>(key: string, allowed: readonly T[], fallback?: T): T | undefined {
    const value = this.get(key);
    if (value === undefined) return fallback;
    if (!allowed.includes(value as T)) throw unsupportedSetting(this.at(key), value, allowed);
    return value as T;
  }

  number(
    key: string,
    limits: { min: number; max: number; integer?: boolean; required?: boolean; only?: readonly number[] },
  ): number | undefined {
    const value = this.get(key) as number | undefined;
    if (value === undefined) {
      if (limits.required) throw missingSetting(this.at(key), 'a number');
      return undefined;
    }
    if (limits.only && !limits.only.includes(value))
      throw unsupportedSetting(this.at(key), value, limits.only);
    const integer = limits.integer ?? true;
    if (value < limits.min || value > limits.max || (integer && !Number.isInteger(value))) {
      throw invalidSetting(
        this.at(key),
        value,
        `Should be ${integer ? 'an integer' : 'a number'} from ${limits.min} to ${limits.max}`,
      );
    }
    return value;
  }

  object(key: string, options: { required?: boolean } = {}): SettingsReader | undefined {
    const value = this.get(key);
    if (value === undefined) {
      if (options.required) throw missingSetting(this.at(key), 'an object');
      return undefined;
    }
    return new SettingsReader(value, this.at(key));
  }

  list(key: string): SettingsReader[] {
    const value = (this.get(key) as unknown[] | undefined) ?? [];
    return value.map((item, i) => new SettingsReader(item, `${this.at(key)}[${i}]`));
  }

  /** A map of objects (e.g. AudioSelectors by name). */
  entries(key: string): [string, SettingsReader][] {
    const value = (this.get(key) as Plain | undefined) ?? {};
    return Object.entries(value).map(([name, item]) => [
      name,
      new SettingsReader(item, `${this.at(key)}.${name}`),
    ]);
  }

  /** A map of strings, taken as is (user metadata, tags). */
  stringMap(key: string): Record<string, string> | undefined {
    return this.get(key) as Record<string, string> | undefined;
  }

  /** Refuses every member that was set but not read. */
  done(): void {
    for (const [key, value] of Object.entries(this.value)) {
      if (value !== undefined && !this.read.has(key)) throw unsupportedSetting(this.at(key), value);
    }
  }
}
