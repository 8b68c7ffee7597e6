// Creates a staff or admin account, or promotes an existing one: how a shop gets its first admin
// (no API route can make one). Part of the build, so the production image runs it as well:
//   npm run admin:create -- --email ada@example.com                 from source (ts-node), in a checkout
//   node dist/src/cli/admin-create.js --email ada@example.com       built; in the Docker image:
//   docker compose run --rm api node dist/src/cli/admin-create.js --email ada@example.com
//   printf '%s' "$PW" | npm run admin:create -- --email ada@example.com --role staff
//   ADMIN_PASSWORD="$PW" npm run admin:create -- --email ada@example.com --name "Ada Lovelace"
// The password comes from ADMIN_PASSWORD, else from standard input when it is not a terminal, else it
// is generated and printed once. It must pass the app's password policy. An existing account keeps
// its password; it is raised to the role if its role is lower, never lowered. Uses the app's
// validated configuration (DB_*, REDIS_*; production too) and writes an audit entry by the system
// actor `admin-create`.
// Exit codes: 0 created, promoted or already so; 1 failed; 2 bad input (nothing written); 78 bad configuration.
// First: sizes libuv's thread pool (argon2 hashes there) before any import can start it.
import '@app/config/runtime';
import 'reflect-metadata';
import { loadConfigOrExit } from '@app/config';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Role } from '@app/common/access/permissions';
import { AccountInputError, checkPassword, normaliseAccountEmail, parseRole } from './account-input';

const USAGE =
  'usage: npm run admin:create -- --email <address> [--role admin|staff] [--name "<name>"]\n' +
  '       node dist/src/cli/admin-create.js --email <address> ...   (the built app, e.g. in the Docker image)\n' +
  '       password: ADMIN_PASSWORD, or piped on standard input, or generated and printed once';
const STAFF_ROLES: readonly Role[] = ['staff', 'admin'];

const print = (line: string) => process.stdout.write(`admin-create: ${line}\n`);
const fail = (line: string) => process.stderr.write(`admin-create: ${line}\n`);

interface Options {
  email: string;
  role: Role;
  name?: string;
}

/** The options, or null for --help. */
function parseOptions(argv: string[]): Options | null {
  let values: { email?: string; role?: string; name?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        email: { type: 'string' },
        role: { type: 'string' },
        name: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new AccountInputError((error as Error).message);
  }
  if (values.help) return null;
  if (values.email === undefined) throw new AccountInputError('--email is required');
  const role = parseRole(values.role ?? 'admin');
  if (!STAFF_ROLES.includes(role))
    throw new AccountInputError(`--role must be staff or admin (customers register through the API)`);
  if (values.name !== undefined && values.name.trim() === '') throw new AccountInputError('--name is empty');
  return { email: normaliseAccountEmail(values.email), role, name: values.name };
}

/** Standard input to its end, without the one line break `echo` or a here-string adds. */
async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** The password given (checked against the policy), or undefined when one is to be generated. */
async function givenPassword(): Promise<string | undefined> {
  // A one-off input of this command, not a setting of the app, so it is not part of AppConfig.
  // eslint-disable-next-line no-restricted-properties
  const fromEnvironment = process.env.ADMIN_PASSWORD;
  let password: string | undefined;
  if (fromEnvironment !== undefined) password = fromEnvironment;
  else if (!process.stdin.isTTY) {
    const piped = await readStandardInput();
    if (piped !== '') password = piped;
  }
  if (password !== undefined) checkPassword(password);
  return password;
}

async function main(): Promise<number> {
  let options: Options | null;
  let password: string | undefined;
  try {
    options = parseOptions(process.argv.slice(2));
    if (options === null) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    password = await givenPassword();
  } catch (error) {
    if (!(error instanceof AccountInputError)) throw error;
    fail(`refused: ${error.message}; nothing was written.\n${USAGE}`);
    return 2;
  }
  const config = loadConfigOrExit();
  // Loaded only now: bad input above is refused without starting the app's modules.
  const { createToolContext } = await import('./app-context');
  const { ACCOUNT_MODULES, ACCOUNT_PROVIDERS, StaffAccounts } = await import('./staff-accounts');
  const app = await createToolContext(config, ACCOUNT_MODULES, ACCOUNT_PROVIDERS);
  try {
    const accounts = new StaffAccounts(app, { name: 'admin-create', runId: `cli:${randomUUID()}` });
    const result = await accounts.ensure({ ...options, password, promote: true });
    const { user } = result;
    const who = `${user.email} (${user.id}) in ${config.database.name}`;
    switch (result.outcome) {
      case 'created':
        print(`created ${user.role} ${who}.`);
        if (result.generatedPassword)
          print(`generated password (shown once; store it now): ${result.generatedPassword}`);
        break;
      case 'promoted':
        print(`promoted ${who} from ${result.from} to ${user.role}; their sessions were ended.`);
        if (password !== undefined) print('the password was not changed (the account already had one).');
        break;
      case 'unchanged':
        print(`${who} is already ${user.role}; nothing changed.`);
        if (password !== undefined) print('the password was not changed (the account already had one).');
        break;
    }
    if (result.outcome !== 'unchanged' && result.warning) fail(`warning: ${result.warning}`);
    if (user.status !== 'active')
      fail(`warning: the account is ${user.status}; enable it through /v1/admin/users.`);
    return 0;
  } finally {
    await app.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    fail(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
