import { UserPrincipal } from '@app/common';
import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { toUserResponse, UserResponseDto } from './dto/user.response.dto';
import type { UpdateProfileDto } from './dto/update-profile.dto';
import { PrincipalCache, snapshotOf, type UserSnapshot } from './principal.cache';
import { UserNotFoundError } from './users.errors';
import { UsersRepository } from './users.repository';

/** A person's own profile (`/v1/me`). */
@Injectable()
export class ProfileService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly users: UsersRepository,
    private readonly cache: PrincipalCache,
  ) {}

  /** Served from the state the guard has just read for this request: no further round trip. */
  async get(principal: UserPrincipal): Promise<UserResponseDto> {
    const snapshot =
      (principal.state as UserSnapshot | undefined) ?? (await this.cache.get(principal.userId));
    if (!snapshot) throw new UserNotFoundError();
    return toUserResponse(snapshot);
  }

  async update(principal: UserPrincipal, changes: UpdateProfileDto): Promise<UserResponseDto> {
    const user = await this.transactions.run(async (tx) => {
      const updated = await this.users.update(tx, principal.userId, { name: changes.name });
      this.cache.publishOnCommit(tx, updated);
      return updated;
    });
    return toUserResponse(snapshotOf(user));
  }
}
