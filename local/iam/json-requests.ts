/**
 * AWS JSON protocol requests (`X-Amz-Target: <Service>.<Operation>`) mapped to what IAM checks, for the services
 * Skycast's functions reach through the JSON protocol: DynamoDB, Cognito user pools, Secrets Manager,
 * EventBridge and SQS. DynamoDB's transactions check each item's own action on its table, as DynamoDB does;
 * its batch operations check the batch action on every table they name.
 */
import {
  type ArnScope,
  type AuthorizationCheck,
  jsonBody,
  type RequestAuthorization,
  type ServiceRequest,
  text,
} from './authorization.ts';

/** The target prefix of each JSON service, and its IAM service prefix. */
const TARGETS: Record<string, string> = {
  DynamoDB_20120810: 'dynamodb',
  AWSCognitoIdentityProviderService: 'cognito-idp',
  secretsmanager: 'secretsmanager',
  AWSEvents: 'events',
  AmazonSQS: 'sqs',
};

/** The IAM service of a JSON request's target, if it is one the gateway knows. */
export function jsonServiceOf(target: string | undefined): string | undefined {
  return target ? TARGETS[target.split('.')[0] as string] : undefined;
}

const checked = (operation: string, checks: AuthorizationCheck[]): RequestAuthorization => ({
  kind: 'checked',
  operation,
  checks,
});

function dynamodb(operation: string, body: Record<string, unknown>, scope: ArnScope): RequestAuthorization {
  const table = (name: unknown, index?: unknown) => {
    const base = String(name).startsWith('arn:')
      ? String(name)
      : `arn:aws:dynamodb:${scope.region}:${scope.accountId}:table/${String(name)}`;
    return typeof index === 'string' ? `${base}/index/${index}` : base;
  };
  const action = `dynamodb:${operation}`;
  if (operation === 'ListTables') return checked(operation, [{ action, resource: '*' }]);
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const items = Array.isArray(body.TransactItems) ? (body.TransactItems as Record<string, unknown>[]) : [];
    const actions: Record<string, string> = {
      Put: 'dynamodb:PutItem',
      Update: 'dynamodb:UpdateItem',
      Delete: 'dynamodb:DeleteItem',
      ConditionCheck: 'dynamodb:ConditionCheckItem',
      Get: 'dynamodb:GetItem',
    };
    const checks = items.flatMap((item) =>
      Object.entries(item).flatMap(([kind, detail]) =>
        actions[kind]
          ? [{ action: actions[kind], resource: table((detail as { TableName?: unknown }).TableName) }]
          : [],
      ),
    );
    if (checks.length !== items.length || checks.length === 0)
      return { kind: 'unmapped', reason: `DynamoDB ${operation} with items the gateway cannot read` };
    return checked(operation, checks);
  }
  if (operation === 'BatchWriteItem' || operation === 'BatchGetItem') {
    const tables = Object.keys((body.RequestItems as Record<string, unknown> | undefined) ?? {});
    if (tables.length === 0)
      return { kind: 'unmapped', reason: `DynamoDB ${operation} without RequestItems` };
    return checked(
      operation,
      tables.map((name) => ({ action, resource: table(name) })),
    );
  }
  if (typeof body.TableName === 'string') {
    const indexed = operation === 'Query' || operation === 'Scan';
    return checked(operation, [
      { action, resource: table(body.TableName, indexed ? body.IndexName : undefined) },
    ]);
  }
  return { kind: 'unmapped', reason: `DynamoDB ${operation} without a TableName` };
}

/**
 * Cognito operations authorized by the user's own tokens or open to anyone (sign-up, sign-in): IAM policies do
 * not apply to them.
 */
const COGNITO_PUBLIC = new Set([
  'SignUp',
  'ConfirmSignUp',
  'ResendConfirmationCode',
  'InitiateAuth',
  'RespondToAuthChallenge',
  'ForgotPassword',
  'ConfirmForgotPassword',
  'ChangePassword',
  'GetUser',
  'UpdateUserAttributes',
  'DeleteUser',
  'GlobalSignOut',
  'RevokeToken',
  'GetUserAttributeVerificationCode',
  'VerifyUserAttribute',
]);

function cognito(operation: string, body: Record<string, unknown>, scope: ArnScope): RequestAuthorization {
  if (COGNITO_PUBLIC.has(operation)) return { kind: 'public', operation };
  const action = `cognito-idp:${operation}`;
  if (operation === 'ListUserPools' || operation === 'CreateUserPool')
    return checked(operation, [{ action, resource: '*' }]);
  const pool = text(body.UserPoolId);
  if (!pool) return { kind: 'unmapped', reason: `Cognito ${operation} without a UserPoolId` };
  return checked(operation, [
    { action, resource: `arn:aws:cognito-idp:${scope.region}:${scope.accountId}:userpool/${pool}` },
  ]);
}

function secretsManager(
  operation: string,
  body: Record<string, unknown>,
  scope: ArnScope,
): RequestAuthorization {
  const action = `secretsmanager:${operation}`;
  if (['ListSecrets', 'GetRandomPassword', 'BatchGetSecretValue'].includes(operation))
    return checked(operation, [{ action, resource: '*' }]);
  const id = text(body.SecretId) ?? (operation === 'CreateSecret' ? text(body.Name) : undefined);
  if (!id) return { kind: 'unmapped', reason: `Secrets Manager ${operation} without a SecretId` };
  // A secret named without its ARN: IAM sees the ARN, whose random suffix only the service knows.
  const resource = id.startsWith('arn:')
    ? id
    : `arn:aws:secretsmanager:${scope.region}:${scope.accountId}:secret:${id}`;
  return checked(operation, [{ action, resource }]);
}

function events(operation: string, body: Record<string, unknown>, scope: ArnScope): RequestAuthorization {
  const bus = (name: unknown) => {
    const value = text(name) ?? 'default';
    return value.startsWith('arn:')
      ? value
      : `arn:aws:events:${scope.region}:${scope.accountId}:event-bus/${value}`;
  };
  if (operation === 'PutEvents') {
    const entries = Array.isArray(body.Entries) ? (body.Entries as Record<string, unknown>[]) : [];
    if (entries.length === 0) return { kind: 'unmapped', reason: 'EventBridge PutEvents without Entries' };
    return checked(
      operation,
      entries.map((entry) => ({
        action: 'events:PutEvents',
        resource: bus(entry.EventBusName),
        context: {
          ...(text(entry.Source) ? { 'events:source': text(entry.Source) as string } : {}),
          ...(text(entry.DetailType) ? { 'events:detail-type': text(entry.DetailType) as string } : {}),
        },
      })),
    );
  }
  const rule = text(body.Rule) ?? text(body.Name);
  if (
    ['PutRule', 'PutTargets', 'DescribeRule', 'DeleteRule', 'RemoveTargets', 'ListTargetsByRule'].includes(
      operation,
    ) &&
    rule
  ) {
    const busName = text(body.EventBusName);
    const path = busName && busName !== 'default' ? `rule/${busName}/${rule}` : `rule/${rule}`;
    return checked(operation, [
      {
        action: `events:${operation}`,
        resource: `arn:aws:events:${scope.region}:${scope.accountId}:${path}`,
      },
    ]);
  }
  return { kind: 'unmapped', reason: `EventBridge ${operation}` };
}

/** SQS batch operations are authorized as their single-message actions. */
const SQS_ACTIONS: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

function sqs(operation: string, body: Record<string, unknown>, scope: ArnScope): RequestAuthorization {
  const action = `sqs:${SQS_ACTIONS[operation] ?? operation}`;
  if (operation === 'ListQueues') return checked(operation, [{ action, resource: '*' }]);
  const url = text(body.QueueUrl);
  const name = url ? url.split('/').filter(Boolean).at(-1) : text(body.QueueName);
  if (!name) return { kind: 'unmapped', reason: `SQS ${operation} without a QueueUrl` };
  return checked(operation, [{ action, resource: `arn:aws:sqs:${scope.region}:${scope.accountId}:${name}` }]);
}

/** What IAM checks for a JSON protocol request; `target` is its X-Amz-Target header. */
export function authorizeJson(
  request: ServiceRequest,
  target: string,
  scope: ArnScope,
): RequestAuthorization {
  const [prefix, operation] = target.split('.') as [string, string | undefined];
  if (!operation) return { kind: 'unmapped', reason: `X-Amz-Target ${target} names no operation` };
  const body = jsonBody(request);
  switch (TARGETS[prefix]) {
    case 'dynamodb':
      return dynamodb(operation, body, scope);
    case 'cognito-idp':
      return cognito(operation, body, scope);
    case 'secretsmanager':
      return secretsManager(operation, body, scope);
    case 'events':
      return events(operation, body, scope);
    case 'sqs':
      return sqs(operation, body, scope);
    default:
      return { kind: 'unmapped', reason: `X-Amz-Target ${target} (a service the gateway does not know)` };
  }
}
