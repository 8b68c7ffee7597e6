import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

/**
 * argon2id with the configured cost (never below OWASP's m=19 MiB, t=2, p=1: the config refuses
 * less). The PHC string carries its own parameters, so a hash made with older, weaker ones is
 * recognised and replaced at the next successful login.
 */
@Injectable()
export class PasswordHasher {
  private readonly options: argon2.HashOptions & { raw?: false };
  /** Verified against when the email is unknown, so both cases cost the same time. */
  private dummyHash: Promise<string> | undefined;

  constructor(config: AppConfig) {
    this.options = { type: argon2.argon2id, ...config.auth.argon2 };
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, this.options);
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
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
