import {
  decodeCursor,
  Page,
  Principal,
  RequestActor,
  Role,
  ROLE_PERMISSIONS,
  ROLE_RANK,
  toPage,
} from '@app/common';
import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit';
import type { ListUsersQueryDto } from './dto/admin-users.dto';
import { toUserResponse, UserResponseDto } from './dto/user.response.dto';
import type { User, UserStatus } from './entities/user.entity';
import { PrincipalCache, snapshotOf } from './principal.cache';
import { RoleAboveOwnError, SelfManagementForbiddenError, UserNotFoundError } from './users.errors';
import { UsersRepository } from './users.repository';

/** How high a role an actor may touch: a person up to their own role; a server key up to staff. */
function rankOf(principal: Principal): number {
  return principal.kind === 'user' ? ROLE_RANK[principal.role] : ROLE_RANK.staff;
}

/** Staff management: list and search, role changes, disable and enable. Every write is audited. */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly users: UsersRepository,
    private readonly cache: PrincipalCache,
    private readonly audit: AuditService,
  ) {}

  async list(query: ListUsersQueryDto): Promise<Page<UserResponseDto>> {
    const beforeId = query.cursor ? decodeCursor(query.cursor, ['id']).id : undefined;
    const rows = await this.users.list({ ...query, beforeId, limit: query.limit + 1 });
    return toPage(
      rows,
      query.limit,
      (user) => toUserResponse(snapshotOf(user)),
      (user) => ({ id: user.id }),
    );
  }

  async get(id: string): Promise<UserResponseDto> {
    const user = await this.users.findById(id);
    if (!user) throw new UserNotFoundError();
    return toUserResponse(snapshotOf(user));
  }

  /** A role change also ends every session of the user: their tokens carry the old permissions. */
  changeRole(actor: RequestActor, id: string, role: Role): Promise<UserResponseDto> {
    return this.manage(actor, id, 'user.role-changed', (manager, user) => {
      const limit = rankOf(actor.principal);
      if (ROLE_RANK[user.role] > limit || ROLE_RANK[role] > limit) {
        throw new RoleAboveOwnError(`You may manage roles up to your own, not "${role}" or "${user.role}".`);
      }
      // A key cannot hand out more than it holds: every permission of the new role must be its own.
      const { principal } = actor;
      if (
        principal.kind === 'api-key' &&
        !ROLE_PERMISSIONS[role].every((p) => principal.permissions.has(p))
      ) {
        throw new RoleAboveOwnError(`This API key does not hold every permission of "${role}".`);
      }
      if (user.role === role) return null;
      return {
        changes: { role },
        details: { from: user.role, to: role },
      };
    });
  }

  setStatus(actor: RequestActor, id: string, status: UserStatus): Promise<UserResponseDto> {
    const action = status === 'disabled' ? 'user.disabled' : 'user.enabled';
    return this.manage(actor, id, action, (_manager, user) => {
      if (ROLE_RANK[user.role] > rankOf(actor.principal)) {
        throw new RoleAboveOwnError(
          `You may not ${status === 'disabled' ? 'disable' : 'enable'} an ${user.role}.`,
        );
      }
      if (user.status === status) return null;
      return { changes: { status }, details: { from: user.status, to: status } };
    });
  }

  /**
   * One staff write: lock the target, decide, write (ending the target's sessions), audit, commit,
   * then publish the new state so every replica refuses the old tokens at once.
   */
  private async manage(
    actor: RequestActor,
    id: string,
    action: string,
    decide: (
      manager: EntityManager,
      user: User,
    ) => { changes: Partial<Pick<User, 'role' | 'status'>>; details: Record<string, unknown> } | null,
  ): Promise<UserResponseDto> {
    if (actor.principal.kind === 'user' && actor.principal.userId === id) {
      throw new SelfManagementForbiddenError('Ask another administrator to change your role or status.');
    }
    const user = await this.transactions.run(async (manager) => {
      const current = await this.users.lockById(manager, id);
      if (!current) throw new UserNotFoundError();
      const decision = decide(manager, current);
      if (!decision) return current;
      const updated = await this.users.update(manager, id, decision.changes, { revokeSessions: true });
      this.cache.publishOnCommit(manager, updated);
      await this.audit.record(manager, actor, {
        action,
        target: { type: 'user', id },
        details: decision.details,
      });
      return updated;
    });
    return toUserResponse(snapshotOf(user));
  }
}
