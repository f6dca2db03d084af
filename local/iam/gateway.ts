/**
 * The local platform's IAM: a gateway on 127.0.0.1 in front of every emulator the functions reach (their
 * AWS_ENDPOINT_URL*). It reads who signed each request (the function's access key), works out which IAM
 * actions on which resources the request needs (`request-authorization.ts`), evaluates them against that
 * function's policy, and either forwards the request untouched (bodies streamed) to the emulator of its
 * service or answers AccessDenied as the service would, and logs it. A request it cannot map is denied
 * (fail closed); requests signed with keys that are not a function's (the platform's own clients, tests) pass.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ArnScope, AuthorizationCheck, ServiceRequest } from './authorization.ts';
import { sendAccessDenied } from './denial-responses.ts';
import type { FunctionIdentity } from './identities.ts';
import { authorizeJson } from './json-requests.ts';
import { PolicyEvaluator } from './policy-evaluator.ts';
import { authorizeRequest, needsBody, signerOf } from './request-authorization.ts';
import { type ResourceTagLookup, withResourceTags } from './resource-tags.ts';

/** Where each service's emulator answers: by signing name, and the rest (moto). */
export interface Upstreams {
  default: string;
  byService?: Record<string, string>;
}

export interface GatewaySettings {
  upstreams: Upstreams;
  scope: ArnScope;
  identities: readonly FunctionIdentity[];
  /**
   * The tags of the IVS channels and stream keys requests name, evaluated as `aws:ResourceTag/<key>`. Without
   * it those keys are absent, and every grant conditioned on a resource's tag is refused.
   */
  resourceTags?: ResourceTagLookup;
  /** Called for every denied request, after the answer is sent. */
  onDenial?: (denial: Denial) => void;
}

/** One request the gateway denied. */
export interface Denial {
  functionName: string;
  operation?: string;
  /** The action and resource that were not allowed (absent when the request could not be mapped). */
  action?: string;
  resource?: string;
  message: string;
}

/** What one function called through the gateway. */
export interface CalledActions {
  functionName: string;
  /** Allowed calls: action → the resources it was called on. */
  allowed: Map<string, Set<string>>;
  denied: Denial[];
}

export interface RunningGateway {
  /** `http://127.0.0.1:<port>`: what functions get as AWS_ENDPOINT_URL (and every AWS_ENDPOINT_URL_<SERVICE>). */
  endpoint: string;
  /** Every action each function called so far (allowed or denied), by function name. */
  calls(): ReadonlyMap<string, CalledActions>;
  stop(): Promise<void>;
}

/** Bodies read to authorize (JSON APIs, DeleteObjects) are small; this bounds a runaway one. */
const MAX_INSPECTED_BODY = 16 * 1024 * 1024;

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_INSPECTED_BODY) {
        reject(new Error('request body too large to authorize'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolveBody(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

const protocolOf = (request: ServiceRequest): 's3' | 'json' | 'rest-json' =>
  request.headers['x-amz-target'] ? 'json' : request.service === 's3' ? 's3' : 'rest-json';

function deniedMessage(identity: FunctionIdentity, check: AuthorizationCheck, explicit: boolean): string {
  const why = explicit
    ? 'with an explicit deny in an identity-based policy'
    : `because no identity-based policy allows the ${check.action} action`;
  return `User: ${identity.principal} is not authorized to perform: ${check.action} on resource: ${check.resource} ${why}`;
}

/** Starts the gateway on a free port of 127.0.0.1. */
export async function startIamGateway(settings: GatewaySettings): Promise<RunningGateway> {
  const identities = new Map(settings.identities.map((identity) => [identity.accessKeyId, identity]));
  const evaluators = new Map(
    settings.identities.map((identity) => [
      identity.accessKeyId,
      new PolicyEvaluator(identity.principal, identity.policy, settings.scope.accountId),
    ]),
  );
  const calls = new Map<string, CalledActions>();
  const callsOf = (functionName: string) => {
    let found = calls.get(functionName);
    if (!found) {
      found = { functionName, allowed: new Map(), denied: [] };
      calls.set(functionName, found);
    }
    return found;
  };

  const forward = (upstream: string, request: IncomingMessage, response: ServerResponse, body?: Buffer) => {
    const target = new URL(request.url ?? '/', upstream);
    const headers = { ...request.headers };
    // The gateway has read (or will stream) the body already; the emulator need not ask for it.
    delete headers.expect;
    const outgoing = httpRequest(target, { method: request.method, headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
      answer.pipe(response);
    });
    outgoing.on('error', (error) => {
      if (!response.headersSent) {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(`The local IAM gateway could not reach ${upstream}: ${error.message}`);
      } else response.destroy();
    });
    if (body) outgoing.end(body);
    else request.pipe(outgoing);
  };

  const deny = (request: ServiceRequest, response: ServerResponse, denial: Denial) => {
    sendAccessDenied(response, protocolOf(request), denial.message, request.method);
    callsOf(denial.functionName).denied.push(denial);
    settings.onDenial?.(denial);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const signer = signerOf(method, url, request.headers);
    const upstream = (signer && settings.upstreams.byService?.[signer.service]) ?? settings.upstreams.default;
    const identity = signer ? identities.get(signer.accessKeyId) : undefined;
    // A browser's CORS preflight is never authorized by IAM, even when it is sent to a presigned URL (its query
    // carries the signer's credential): S3 answers it from the bucket's CORS rules alone.
    if (method === 'OPTIONS') return forward(upstream, request, response);
    if (!signer) {
      // Not an IAM-authorized call: the user pool's public key set and Cognito's token-authorized operations,
      // which AWS serves without a signature.
      if (url.split('?')[0]?.endsWith('/.well-known/jwks.json')) return forward(upstream, request, response);
      const target = request.headers['x-amz-target'];
      const body = await readBody(request);
      const asked: ServiceRequest = { method, url, headers: request.headers, service: 'unsigned', body };
      if (typeof target === 'string' && authorizeJson(asked, target, settings.scope).kind === 'public')
        return forward(upstream, request, response, body);
      response.writeHead(403, { 'content-type': 'text/plain' });
      response.end('The local IAM gateway only forwards signed AWS requests.');
      return;
    }
    if (!identity) return forward(upstream, request, response);

    const base = { method, url, headers: request.headers, service: signer.service };
    const body = needsBody(base) ? await readBody(request) : undefined;
    const asked: ServiceRequest = { ...base, ...(body ? { body } : {}) };
    const authorization = authorizeRequest(asked, settings.scope);
    const { functionName } = identity;
    if (authorization.kind === 'unmapped') {
      return deny(asked, response, {
        functionName,
        message:
          `The local platform's IAM gateway denied this request of ${functionName}: it cannot tell which IAM ` +
          `action and resource ${authorization.reason} needs, so it fails closed (teach local/iam/ the operation).`,
      });
    }
    if (authorization.kind === 'checked') {
      const evaluator = evaluators.get(identity.accessKeyId) as PolicyEvaluator;
      const checks = settings.resourceTags
        ? await withResourceTags(authorization.checks, settings.resourceTags)
        : authorization.checks;
      for (const check of checks) {
        const evaluation = await evaluator.evaluate(check);
        if (evaluation.decision !== 'Allowed') {
          const message =
            deniedMessage(identity, check, evaluation.decision === 'ExplicitlyDenied') +
            (evaluation.error ? ` (the simulator could not evaluate it: ${evaluation.error})` : '');
          return deny(asked, response, {
            functionName,
            operation: authorization.operation,
            action: check.action,
            resource: check.resource,
            message,
          });
        }
      }
      const allowed = callsOf(functionName).allowed;
      for (const check of checks) {
        const resources = allowed.get(check.action) ?? new Set<string>();
        resources.add(check.resource);
        allowed.set(check.action, resources);
      }
    }
    forward(upstream, request, response, body);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      console.error('✖ local IAM gateway error:', error);
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('The local IAM gateway failed; see the platform log.');
      } else response.destroy();
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls: () => calls,
    stop: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}
