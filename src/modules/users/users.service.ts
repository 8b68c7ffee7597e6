import type { TransactionContext } from '@app/database';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { User } from './entities/user.entity';
import { PrincipalCache, UserSnapshot } from './principal.cache';
import { NewUser, UserChanges, UsersRepository } from './users.repository';

export type { User } from './entities/user.entity';
export type { UserChanges } from './users.repository';
export type { UserSnapshot } from './principal.cache';

/**
 * The account operations other features (auth) may call. Writes take the caller's transaction, and
 * an update publishes the user's new state to every replica once that transaction commits.
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly cache: PrincipalCache,
  ) {}

  create(manager: EntityManager, user: NewUser): Promise<User> {
    return this.users.insert(manager, user);
  }

  findByEmail(email: string, manager?: EntityManager): Promise<User | null> {
    return this.users.findByEmail(email, manager);
  }

  findById(id: string, manager?: EntityManager): Promise<User | null> {
    return this.users.findById(id, manager);
  }

  lockById(manager: EntityManager, id: string): Promise<User | null> {
    return this.users.lockById(manager, id);
  }

  async update(
    tx: TransactionContext,
    id: string,
    changes: UserChanges,
    options: { revokeSessions?: boolean } = {},
  ): Promise<User> {
    const updated = await this.users.update(tx, id, changes, options);
    this.cache.publishOnCommit(tx, updated);
    return updated;
  }

  snapshot(userId: string): Promise<UserSnapshot | null> {
    return this.cache.get(userId);
  }
}
