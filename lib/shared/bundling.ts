/**
 * How every Lambda handler is bundled, in one place: the house function construct passes these to
 * NodejsFunction (esbuild), and the bundle-size benchmark builds the same bundles with esbuild directly.
 */
/** The esbuild target, matching the Lambda runtime the house function construct uses (nodejs24.x). */
export const LAMBDA_NODE_TARGET = 'node24';

export const lambdaBundling = {
  format: 'esm',
  target: LAMBDA_NODE_TARGET,
  platform: 'node',
  minify: true,
  sourceMap: true,
  /**
   * Source maps without the original sources: stack traces still point at our TypeScript lines, and Node
   * parses a much smaller map at cold start under --enable-source-maps.
   */
  sourcesContent: false,
  /** Prefer a package's ESM build, so esbuild can drop what a handler does not import. */
  mainFields: ['module', 'main'],
  /**
   * Some dependencies still call `require` for Node built-ins; an ESM bundle has none, so give it one.
   */
  /**
   * Credential providers the AWS SDK loads with a dynamic import() only when the environment has no
   * credentials. Lambda always puts the function role's credentials in the environment, so these never run
   * there (and the Node.js runtime ships them if one ever did). Leaving them out of the bundle saves
   * about 100 KB per function; everything else of the SDK is bundled, pinned to the version we test.
   */
  externalModules: [
    '@aws-sdk/credential-provider-sso',
    '@aws-sdk/credential-provider-ini',
    '@aws-sdk/credential-provider-process',
    '@aws-sdk/credential-provider-web-identity',
    '@aws-sdk/credential-provider-http',
    '@aws-sdk/credential-provider-login',
    '@aws-sdk/nested-clients',
    '@aws-sdk/token-providers',
    '@smithy/credential-provider-imds',
  ],
  banner:
    "import { createRequire as __skycastCreateRequire } from 'node:module'; const require = __skycastCreateRequire(import.meta.url);",
} as const;
