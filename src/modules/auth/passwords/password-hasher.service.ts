import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { availableParallelism } from 'node:os';
import pLimit, { type LimitFunction } from 'p-limit';

/**
 * argon2id with the configured cost (never below OWASP's m=19 MiB, t=2, p=1: the config refuses
 * less). The PHC string carries its own parameters, so a hash made with older, weaker ones is
 * recognised and replaced at the next successful login.
 */
@Injectable()
export class PasswordHasherService {
  private readonly options: argon2.HashOptions & { raw?: false };
  /** Verified against when the email is unknown, so both cases cost the same time. */
  private dummyHash: Promise<string> | undefined;

  /**
   * argon2 runs on libuv's thread pool (4 threads): on a 2-core machine four hashes at once left the
   * event loop waiting 100-250 ms, and every other request with it (measured: /health/live p99
   * 56-97 ms under 200 concurrent logins). At most one hash per core; the rest wait their turn.
   */
  private readonly slots = hashingSlots();

  constructor(config: AppConfig) {
    this.options = { type: argon2.argon2id, ...config.auth.argon2 };
  }

  hash(password: string): Promise<string> {
    return this.slots(() => argon2.hash(password, this.options));
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await this.slots(() => argon2.verify(hash, password));
    } catch {
      return false; // a malformed stored hash never lets anyone in
    }
  }

  /** Spends the time a real verification would, for an account that does not exist. */
  async verifyNothing(password: string): Promise<false> {
    this.dummyHash ??= this.hash('storekeep-timing-equaliser');
    await this.verify(await this.dummyHash, password);
    return false;
  }

  needsRehash(hash: string): boolean {
    return argon2.needsRehash(hash, this.options);
  }
}

/** At most `limit` hashes at once (default: one per core), the others queued in arrival order. */
export function hashingSlots(limit = Math.max(1, availableParallelism())): LimitFunction {
  return pLimit(limit);
}
