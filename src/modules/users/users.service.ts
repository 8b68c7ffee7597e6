import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { User } from './entities/user.entity';
import { PrincipalCache, UserSnapshot } from './principal-cache';
import { NewUser, UserChanges, UsersRepository } from './users.repository';

export type { User } from './entities/user.entity';
export type { UserChanges } from './users.repository';
export type { UserSnapshot } from './principal-cache';

/**
 * The account operations other features (auth) may call. Writes take the caller's transaction;
 * the caller publishes the committed row with `publish` after the commit.
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

  update(
    manager: EntityManager,
    id: string,
    changes: UserChanges,
    options: { revokeSessions?: boolean } = {},
  ): Promise<User> {
    return this.users.update(manager, id, changes, options);
  }

  publish(user: User): Promise<UserSnapshot> {
    return this.cache.publish(user);
  }

  snapshot(userId: string): Promise<UserSnapshot | null> {
    return this.cache.get(userId);
  }
}
