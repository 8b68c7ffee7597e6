import { PERMISSIONS, type Permission, ROLE_PERMISSIONS, type Role } from '@app/common';
import { checkedFetch, request, type RouteEntry, routeTable } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { TransactionRunner } from '@app/database';
import { DataSource } from 'typeorm';
import { SessionsService } from '../../src/modules/auth/sessions.service';
import { UsersService } from '../../src/modules/users/users.service';
import { AuthClient, createUser } from '../support/auth-client';

type Caller = { kind: 'anonymous' } | { kind: 'user'; role: Role } | { kind: 'api-key'; scoped: boolean };

const CALLERS: Caller[] = [
  { kind: 'anonymous' },
  { kind: 'user', role: 'customer' },
  { kind: 'user', role: 'staff' },
  { kind: 'user', role: 'admin' },
  { kind: 'api-key', scoped: true },
  { kind: 'api-key', scoped: false },
];
const describeCaller = (caller: Caller) =>
  caller.kind === 'user'
    ? caller.role
    : caller.kind === 'api-key'
      ? `API key ${caller.scoped ? 'with' : 'without'} the scope`
      : 'anonymous';

/** Guest-or-user routes whose guest credential is a single-use ticket: an anonymous call without one is 401. */
const TICKET_ROUTES = new Set(['GET /v1/events']);

/** What the declared policy says this caller gets: 401, 403, or through to the handler. */
function expectedOutcome(route: RouteEntry, caller: Caller): 401 | 403 | 'allowed' {
  const policy = route.policy!;
  if (policy.kind === 'public') return 'allowed';
  if (caller.kind === 'anonymous' && TICKET_ROUTES.has(`${route.method} ${route.path}`)) return 401;
  if (policy.kind === 'guest-or-user') return caller.kind === 'api-key' ? 403 : 'allowed';
  if (caller.kind === 'anonymous') return 401;
  if (policy.kind === 'user') return caller.kind === 'user' ? 'allowed' : 403;
  if (caller.kind === 'api-key') return caller.scoped ? 'allowed' : 403;
  return ROLE_PERMISSIONS[caller.role].includes(policy.permission) ? 'allowed' : 403;
}

const SOME_ID = '01900000-0000-7000-8000-000000000000';

describe('access matrix: every route × every kind of caller, from the route table', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let routes: RouteEntry[];
  const userIds = new Map<Role, string>();
  /** An API key per permission, so "with the scope" holds exactly that one scope. */
  const keysByScope = new Map<Permission, string>();

  beforeAll(async () => {
    env = await TestEnvironment.create();
    api = await env.startApi();
    routes = routeTable(api.app);
    const client = new AuthClient(api.baseUrl);
    const db = api.app.get(DataSource);
    for (const role of ['customer', 'staff', 'admin'] as const)
      userIds.set(role, (await createUser(client, db, { role })).id);
    const admin = await freshToken(userIds.get('admin')!);
    for (const scope of PERMISSIONS) {
      const created = await client.post<{ key: string }>(
        '/v1/admin/api-keys',
        { name: `matrix ${scope}`, scopes: [scope] },
        admin,
      );
      if (created.status !== 201) throw new Error(`key for ${scope}: ${created.status} ${created.text}`);
      keysByScope.set(scope, created.body.key);
    }
  });
  afterAll(() => env.cleanup());

  /** A new session per request: some allowed calls (logout, log out everywhere) end the one they use. */
  async function freshToken(userId: string): Promise<string> {
    const users = api.app.get(UsersService);
    const sessions = api.app.get(SessionsService);
    return api.app.get(TransactionRunner).run(async (manager) => {
      const user = (await users.findById(userId, manager))!;
      return (await sessions.start(manager, user, { ip: '127.0.0.1', userAgent: 'matrix' })).accessToken;
    });
  }

  async function credentialFor(route: RouteEntry, caller: Caller): Promise<string | undefined> {
    if (caller.kind === 'anonymous') return undefined;
    if (caller.kind === 'user') return freshToken(userIds.get(caller.role)!);
    const routePermission = route.policy?.kind === 'permission' ? route.policy.permission : undefined;
    const scope = caller.scoped
      ? (routePermission ?? 'catalog:write')
      : PERMISSIONS.find((permission) => permission !== routePermission)!;
    return keysByScope.get(scope);
  }

  it('finds the routes, and they are the ones the API documents', async () => {
    const documented = (
      await request<{ paths: Record<string, Record<string, unknown>> }>(`${api.baseUrl}/docs-json`)
    ).body;
    const fromDocs = Object.entries(documented.paths)
      .flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      )
      .sort();
    const fromTable = routes
      .filter((route) => !route.path.startsWith('/probe'))
      .map((route) => `${route.method} ${route.path}`)
      .sort();
    expect(fromTable).toEqual(fromDocs);
    expect(routes.length).toBeGreaterThan(25);
  });

  it('every route declares who may call it (public, any signed-in person, or one permission)', () => {
    const undeclared = routes
      .filter((route) => !route.policy)
      .map((route) => `${route.method} ${route.path} (${route.handler})`);
    expect(undeclared).toEqual([]);
  });

  it('every route × caller gets what its declared policy says, and never a 5xx', async () => {
    const mismatches: string[] = [];
    for (const route of routes) {
      for (const caller of CALLERS) {
        const credential = await credentialFor(route, caller);
        const response = await checkedFetch(`${api.baseUrl}${route.path.replace(/:\w+/g, SOME_ID)}`, {
          method: route.method,
          headers: {
            ...(credential ? { authorization: `Bearer ${credential}` } : {}),
            ...(['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method)
              ? { 'content-type': 'application/json' }
              : {}),
          },
          body: ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method) ? '{}' : undefined,
        });
        // An event stream stays open: its status and headers are the answer, then the matrix hangs up.
        if (response.headers.get('content-type')?.startsWith('text/event-stream'))
          await response.body?.cancel();
        else await response.arrayBuffer();
        const expected = expectedOutcome(route, caller);
        const got = response.status;
        const ok = got < 500 && (expected === 'allowed' ? got !== 401 && got !== 403 : got === expected);
        if (!ok)
          mismatches.push(
            `${route.method} ${route.path} as ${describeCaller(caller)}: expected ${expected}, got ${got}`,
          );
      }
    }
    expect(mismatches).toEqual([]);
  });
});
