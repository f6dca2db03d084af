import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccountRecovery,
  type AuthFlow,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolEmail,
  VerificationEmailStyle,
} from 'aws-cdk-lib/aws-cognito';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { userPoolPolicy } from '#contract/resources.ts';

/** Props of {@link Accounts}. */
export interface AccountsProps {
  /** @default RemovalPolicy.RETAIN — losing the user pool loses every account. */
  removalPolicy?: RemovalPolicy;
  /** Refuse to delete the user pool even when CloudFormation asks. @default true */
  deletionProtection?: boolean;
  /**
   * Put the pool on the Plus feature plan and enforce threat protection (compromised credentials, adaptive
   * authentication). Plus is billed per monthly active user.
   * @default true
   */
  threatProtection?: boolean;
  /**
   * How Cognito sends verification e-mail.
   * @default Cognito's own sender, limited to a few dozen messages a day — configure SES for real traffic
   */
  email?: UserPoolEmail;
}

/** The `userPoolPolicy` flow names, as the CDK spells them. */
const AUTH_FLOW_PROPS: Record<(typeof userPoolPolicy.authFlows)[number], keyof AuthFlow | undefined> = {
  USER_PASSWORD_AUTH: 'userPassword',
  USER_SRP_AUTH: 'userSrp',
  // The CDK always enables ALLOW_REFRESH_TOKEN_AUTH along with any other flow.
  REFRESH_TOKEN_AUTH: undefined,
};

/**
 * Accounts: the Cognito user pool (e-mail sign-up with verification, the shared password policy, optional
 * TOTP MFA) and the web app's client. Built from `userPoolPolicy` in `lambdas/contract/resources.ts`, which the local
 * platform's emulator follows too.
 */
export class Accounts extends Construct {
  readonly userPool: UserPool;
  /** The public client the web app signs in with (no secret, no hosted UI). */
  readonly webClient: UserPoolClient;

  constructor(scope: Construct, id: string, props: AccountsProps = {}) {
    super(scope, id);
    const { password } = userPoolPolicy;
    const threatProtection = props.threatProtection ?? true;

    this.userPool = new UserPool(this, 'UserPool', {
      signInAliases: { [userPoolPolicy.signInWith]: true },
      signInCaseSensitive: false,
      selfSignUpEnabled: true,
      autoVerify: { email: true },
      // Until a changed address is verified, the user keeps signing in with the old one.
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      userVerification: { emailStyle: VerificationEmailStyle.CODE },
      passwordPolicy: {
        minLength: password.minLength,
        requireLowercase: password.requireLowercase,
        requireUppercase: password.requireUppercase,
        requireDigits: password.requireDigits,
        requireSymbols: password.requireSymbols,
        tempPasswordValidity: Duration.days(password.temporaryPasswordValidityDays),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: threatProtection ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      ...(threatProtection
        ? { standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION }
        : {}),
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      ...(props.email ? { email: props.email } : {}),
    });

    const authFlows: { -readonly [Flow in keyof AuthFlow]: AuthFlow[Flow] } = {};
    for (const flow of userPoolPolicy.authFlows) {
      const name = AUTH_FLOW_PROPS[flow];
      if (name) authFlows[name] = true;
    }
    this.webClient = this.userPool.addClient('WebClient', {
      generateSecret: false,
      authFlows,
      // The web app signs in through the Cognito API with its own forms; no hosted UI, so no OAuth flows.
      disableOAuth: true,
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.minutes(userPoolPolicy.accessTokenValidityMinutes),
      idTokenValidity: Duration.minutes(userPoolPolicy.idTokenValidityMinutes),
      refreshTokenValidity: Duration.days(userPoolPolicy.refreshTokenValidityDays),
    });

    NagSuppressions.addResourceSuppressions(this.userPool, [
      {
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is optional by product decision: viewers sign up with e-mail and password alone, and every ' +
          'user can turn on TOTP MFA; requiring it would put a second factor in front of watching videos.',
      },
    ]);
    if (!threatProtection) {
      NagSuppressions.addResourceSuppressions(this.userPool, [
        {
          id: 'AwsSolutions-COG8',
          reason:
            'Threat protection is switched off for this stage (dev by default, or -c threatProtection=false): ' +
            'the Plus feature plan is billed per monthly active user, which throwaway stages do not need.',
        },
      ]);
    }
  }
}
