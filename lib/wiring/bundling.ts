/**
 * How every Lambda handler is bundled, in one place: the house function construct passes these to
 * NodejsFunction (esbuild), and the bundle-size benchmark builds the same bundles with esbuild directly.
 */
export const LAMBDA_NODE_TARGET = 'node22';

export const lambdaBundling = {
  format: 'esm',
  target: LAMBDA_NODE_TARGET,
  platform: 'node',
  minify: true,
  sourceMap: true,
  /** Prefer a package's ESM build, so esbuild can drop what a handler does not import. */
  mainFields: ['module', 'main'],
  /**
   * Some dependencies still call `require` for Node built-ins; an ESM bundle has none, so give it one.
   */
  banner:
    "import { createRequire as __skycastCreateRequire } from 'node:module'; const require = __skycastCreateRequire(import.meta.url);",
} as const;
