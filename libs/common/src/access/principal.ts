import type { Permission, Role } from './permissions';

/** A person signed in with an access token. */
export interface UserPrincipal {
  kind: 'user';
  userId: string;
  sessionId: string;
  role: Role;
  permissions: ReadonlySet<Permission>;
  /**
   * The user's state exactly as the guard read it for this request (the users module's
   * UserSnapshot), so a handler that shows it needs no second round trip.
   */
  state?: unknown;
}

/** A server calling with an API key; it can do exactly what its scopes say. */
export interface ApiKeyPrincipal {
  kind: 'api-key';
  apiKeyId: string;
  permissions: ReadonlySet<Permission>;
}

export type Principal = UserPrincipal | ApiKeyPrincipal;

/** Who did something and where the request came from: what services need for audit and sessions. */
export interface RequestActor<P extends Principal | undefined = Principal> {
  principal: P;
  requestId: string;
  ip: string;
  userAgent: string;
}

/** A short, stable name of who acted (`user:<id>` or `api-key:<id>`), for ledgers and logs. */
export function actorName(principal: Principal): string {
  return principal.kind === 'user' ? `user:${principal.userId}` : `api-key:${principal.apiKeyId}`;
}
