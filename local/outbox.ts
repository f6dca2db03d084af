import { randomInt, randomUUID } from 'node:crypto';

/** A message the local platform "sent" instead of Cognito's e-mail. */
export interface OutboxMessage {
  id: string;
  /** The address Cognito would have mailed. */
  to: string;
  /** The user pool username the code belongs to, as the client sent it. */
  username: string;
  /** The Cognito operation that sent it. */
  trigger: 'SignUp' | 'ResendConfirmationCode' | 'ForgotPassword';
  subject: string;
  /** The verification code, six digits like Cognito's. */
  code: string;
  sentAt: string;
}

/**
 * Cognito codes are valid for 24 hours.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/signing-up-users-in-your-app.html
 */
const CODE_VALIDITY_MS = 24 * 60 * 60 * 1000;

export type CodeCheck = 'match' | 'mismatch' | 'expired' | 'none';

/**
 * The local stand-in for the e-mail Cognito sends: verification codes are kept here (newest first), shown on
 * the console and served at `/local/outbox`. Only a user's latest code is valid, as with Cognito.
 */
export class Outbox {
  private readonly sent: OutboxMessage[] = [];
  private readonly pending = new Map<string, { code: string; expiresAt: number }>();

  constructor(private readonly announce: (message: OutboxMessage) => void = () => {}) {}

  /** Sends a fresh verification code for `username` to `to`, replacing any earlier one. */
  sendVerificationCode(username: string, to: string, trigger: OutboxMessage['trigger']): OutboxMessage {
    const code = randomInt(0, 1_000_000).toString().padStart(6, '0');
    const message: OutboxMessage = {
      id: randomUUID(),
      to,
      username,
      trigger,
      subject: 'Your verification code',
      code,
      sentAt: new Date().toISOString(),
    };
    this.sent.unshift(message);
    this.pending.set(username, { code, expiresAt: Date.now() + CODE_VALIDITY_MS });
    this.announce(message);
    return message;
  }

  /** Compares a code with the latest one sent to `username`. */
  check(username: string, code: string): CodeCheck {
    const pending = this.pending.get(username);
    if (!pending) return 'none';
    if (Date.now() > pending.expiresAt) return 'expired';
    return pending.code === code ? 'match' : 'mismatch';
  }

  /** Invalidates the user's code once it has been used. */
  consume(username: string): void {
    this.pending.delete(username);
  }

  /** Every message sent so far, newest first. */
  messages(): OutboxMessage[] {
    return this.sent.map((message) => ({ ...message }));
  }
}
