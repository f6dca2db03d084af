import { MissingConfigurationError } from './errors.ts';

/**
 * Reads the named environment variables once and fails with all missing names at once.
 * Call it at module scope so a misconfigured function stops at init, not at its first request.
 */
export function requireEnv<const Name extends string>(
  names: readonly Name[],
  env: NodeJS.ProcessEnv = process.env,
): Record<Name, string> {
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0) throw new MissingConfigurationError(missing);
  return Object.fromEntries(names.map((name) => [name, env[name] as string])) as Record<Name, string>;
}
