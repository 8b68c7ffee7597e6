// Creates or promotes an account outside the HTTP API (there is deliberately no route that makes the
// first admin): `npm run admin:create` and the demo seed. The app's own pieces do the work — the
// users service and its principal cache, argon2id through the auth module's PasswordHasherService, the
// password policy, the audit log — in one transaction per account.
import { type Role, ROLE_RANK } from '@app/common';
import { TransactionRunner } from '@app/database';
import { INestApplicationContext } from '@nestjs/common';
import { AuditModule, AuditService, type SystemActor } from '../modules/audit';
import { PasswordHasherService } from '../modules/auth';
import { UsersModule, type User, UsersService } from '../modules/users';
import { checkPassword, generatePassword, normaliseAccountEmail } from './account-input';

export { AccountInputError } from './account-input';

/** The modules and providers a tool context needs to provision accounts (see createToolContext). */
export const ACCOUNT_MODULES = [UsersModule, AuditModule];
/** PasswordHasherService is the auth module's, provided here without the rest of that module (JWT, guards). */
export const ACCOUNT_PROVIDERS = [PasswordHasherService];

export interface AccountRequest {
  email: string;
  role: Role;
  /** Display name; the part of the email before the @ when absent. */
  name?: string;
  /** Used only when the account is created; absent: a generated one, returned once in the outcome. */
  password?: string;
  /**
   * An existing account with a lower role is raised to `role` (admin:create); without it an existing
   * account is left exactly as it is (the demo seed never changes data it did not write).
   */
  promote: boolean;
}

export type AccountOutcome =
  | { outcome: 'created'; user: User; generatedPassword?: string; warning?: string }
  | { outcome: 'promoted'; user: User; from: Role; warning?: string }
  | { outcome: 'unchanged'; user: User };

export class StaffAccounts {
  private readonly transactions: TransactionRunner;
  private readonly users: UsersService;
  private readonly passwords: PasswordHasherService;
  private readonly audit: AuditService;

  constructor(
    app: INestApplicationContext,
    private readonly actor: SystemActor,
  ) {
    this.transactions = app.get(TransactionRunner);
    this.users = app.get(UsersService);
    this.passwords = app.get(PasswordHasherService);
    this.audit = app.get(AuditService);
  }

  /**
   * Creates the account (email verified: whoever runs this vouches for the address) or, with
   * `promote`, raises an existing one to the role — never lowers it. Every write is audited as the
   * system actor; a role change ends the account's sessions (their tokens carry the old permissions),
   * as a role change through the admin API does. Validates everything before writing anything.
   */
  async ensure(request: AccountRequest): Promise<AccountOutcome> {
    const email = normaliseAccountEmail(request.email);
    if (request.password !== undefined) checkPassword(request.password);
    const generatedPassword = request.password === undefined ? generatePassword() : undefined;
    const password = request.password ?? generatedPassword!;
    const name = (request.name ?? email.split('@')[0]).trim().slice(0, 200) || email;
    // Hashed before the transaction (argon2 takes tens of milliseconds; no row lock waits on it).
    const passwordHash = await this.passwords.hash(password);
    const result = await this.transactions.run(async (manager): Promise<AccountOutcome> => {
      const existing = await this.users.findByEmail(email, manager);
      if (!existing) {
        const created = await this.users.create(manager, { email, name, passwordHash, role: request.role });
        const user = await this.users.update(manager, created.id, { emailVerifiedAt: new Date() });
        await this.audit.recordSystem(manager, this.actor, {
          action: 'user.created',
          target: { type: 'user', id: user.id },
          details: { role: user.role, emailVerified: true },
        });
        return { outcome: 'created', user, ...(generatedPassword ? { generatedPassword } : {}) };
      }
      const current = await this.users.lockById(manager, existing.id);
      if (!current) throw new Error(`the account ${email} vanished while it was being changed`);
      if (!request.promote || ROLE_RANK[current.role] >= ROLE_RANK[request.role])
        return { outcome: 'unchanged', user: current };
      const user = await this.users.update(
        manager,
        current.id,
        { role: request.role },
        { revokeSessions: true },
      );
      await this.audit.recordSystem(manager, this.actor, {
        action: 'user.role-changed',
        target: { type: 'user', id: user.id },
        details: { from: current.role, to: user.role },
      });
      return { outcome: 'promoted', user, from: current.role };
    });
    if (result.outcome === 'unchanged') return result;
    // The update published the new state after the commit (every API replica checks the next request
    // against it); a failure there is only logged, so make sure Redis holds it before saying "done".
    try {
      await this.users.snapshot(result.user.id);
      return result;
    } catch (error) {
      const warning =
        `the account was saved, but publishing it to Redis failed (${(error as Error).message}); ` +
        'running API processes see the change within a minute';
      return { ...result, warning };
    }
  }
}
