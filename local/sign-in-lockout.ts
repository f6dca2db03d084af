/**
 * Cognito's lockout after failed attempts, locally: moto lets a client guess passwords and codes as fast as it
 * likes, Cognito does not. The schedule is the one Cognito documents for password sign-in ("Lockout behavior
 * for failed sign-in attempts", Amazon Cognito Developer Guide): five failures are free; after the n-th failure
 * the user is locked out for 2^(n-5) seconds, up to about 15 minutes; attempts during a lockout are refused
 * without counting; a success after a lockout ended, or 15 minutes without any attempt, starts over. Cognito
 * does not document its schedule for wrong confirmation codes; the platform uses the same one for them.
 */

/** The numbers of the schedule. */
export interface LockoutPolicy {
  /** Failures before the first lockout. */
  freeFailures: number;
  /** The longest lockout, in milliseconds. */
  maxLockoutMs: number;
  /** After this long without an attempt, in milliseconds, the count starts over. */
  quietResetMs: number;
}

/** Cognito's published schedule for password sign-in. */
export const COGNITO_LOCKOUT: LockoutPolicy = {
  freeFailures: 5,
  maxLockoutMs: 15 * 60 * 1000,
  quietResetMs: 15 * 60 * 1000,
};

interface AttemptState {
  failures: number;
  lockedUntil: number;
  lastAttemptAt: number;
}

/** Failed attempts and lockouts per key (a user pool username, case-folded as the pool compares them). */
export class FailedAttemptLockout {
  private readonly states = new Map<string, AttemptState>();

  constructor(
    private readonly policy: LockoutPolicy = COGNITO_LOCKOUT,
    /** Milliseconds, from any clock that does not go back. */
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Records that `key` is trying; true when it is locked out, and the attempt must be refused unanswered
   * (it does not count as a failure).
   */
  refuses(key: string): boolean {
    const now = this.now();
    const state = this.states.get(key.toLowerCase());
    if (!state) return false;
    if (now - state.lastAttemptAt >= this.policy.quietResetMs) {
      this.states.delete(key.toLowerCase());
      return false;
    }
    state.lastAttemptAt = now;
    return now < state.lockedUntil;
  }

  /** Counts a failed attempt of `key`, locking it out once it is past the free failures. */
  fail(key: string): void {
    const now = this.now();
    const state = this.states.get(key.toLowerCase()) ?? { failures: 0, lockedUntil: 0, lastAttemptAt: now };
    state.failures += 1;
    state.lastAttemptAt = now;
    const over = state.failures - this.policy.freeFailures;
    if (over >= 0) state.lockedUntil = now + Math.min(1000 * 2 ** over, this.policy.maxLockoutMs);
    this.states.set(key.toLowerCase(), state);
  }

  /** A successful attempt of `key` (made outside a lockout): the count starts over. */
  succeed(key: string): void {
    this.states.delete(key.toLowerCase());
  }
}
