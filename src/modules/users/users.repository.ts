import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { User } from './entities/user.entity';
import type { Role } from '@app/common';

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string;
  role?: Role;
}

/** The columns a use case may change; `version` is always raised and `tokenEpoch` on request. */
export type UserChanges = Partial<
  Pick<
    User,
    | 'name'
    | 'passwordHash'
    | 'role'
    | 'status'
    | 'emailVerifiedAt'
    | 'mfaSecret'
    | 'mfaPendingSecret'
    | 'mfaEnabledAt'
    | 'mfaLastStep'
    | 'deletionRequestedAt'
  >
>;

export interface UserListFilter {
  /** Matches the start of the email or any part of the name. */
  q?: string;
  role?: Role;
  status?: User['status'];
  /** Only ids older than this (the cursor: ids are time-ordered UUIDv7). */
  beforeId?: string;
  limit: number;
}

@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, user: NewUser): Promise<User> {
    const id = uuidv7();
    await manager.insert(User, { id, role: 'customer', ...user });
    return manager.findOneByOrFail(User, { id });
  }

  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<User | null> {
    return manager.findOneBy(User, { id });
  }

  findByEmail(email: string, manager: EntityManager = this.dataSource.manager): Promise<User | null> {
    return manager.findOneBy(User, { email });
  }

  /** Locks the row for the rest of the transaction (use cases that read, decide, then write). */
  lockById(manager: EntityManager, id: string): Promise<User | null> {
    return manager.findOne(User, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * Applies `changes`, raises the version, and with `revokeSessions` the token epoch (which ends
   * every session and access token of the user at once). Returns the row as written.
   */
  async update(
    manager: EntityManager,
    id: string,
    changes: UserChanges,
    options: { revokeSessions?: boolean } = {},
  ): Promise<User> {
    await manager
      .createQueryBuilder()
      .update(User)
      .set({
        ...changes,
        version: () => 'version + 1',
        ...(options.revokeSessions ? { tokenEpoch: () => 'token_epoch + 1' } : {}),
      })
      .where('id = :id', { id })
      .execute();
    return manager.findOneByOrFail(User, { id });
  }

  async list(filter: UserListFilter): Promise<User[]> {
    const query = this.dataSource.manager
      .createQueryBuilder(User, 'user')
      .orderBy('user.id', 'DESC')
      .limit(filter.limit);
    if (filter.q) {
      const escaped = filter.q.replace(/[\\%_]/g, (char) => `\\${char}`);
      query.andWhere('(user.email LIKE :prefix OR user.name LIKE :infix)', {
        prefix: `${escaped.toLowerCase()}%`,
        infix: `%${escaped}%`,
      });
    }
    if (filter.role) query.andWhere('user.role = :role', { role: filter.role });
    if (filter.status) query.andWhere('user.status = :status', { status: filter.status });
    if (filter.beforeId) query.andWhere('user.id < :beforeId', { beforeId: filter.beforeId });
    return query.getMany();
  }
}
