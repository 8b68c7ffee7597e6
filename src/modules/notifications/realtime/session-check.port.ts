import type { Role } from '@app/common';

/** A person's signed-in session, as a stream remembers it. */
export interface StreamSession {
  userId: string;
  sessionId: string;
  tokenEpoch: number;
}

/**
 * Whether a stream's session still stands (user active, same token epoch, session not revoked),
 * provided by the auth feature (which cannot be imported here: it sends mail through notifications).
 */
export interface SessionCheck {
  /** The user's current role while the session is live; null once it has ended or the user is disabled. */
  currentRole(session: StreamSession): Promise<Role | null>;
}

export const SESSION_CHECK = Symbol('SESSION_CHECK');
