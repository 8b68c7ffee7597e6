import type { Role } from '@app/common';
import { Injectable } from '@nestjs/common';
import type { SessionCheck, StreamSession } from '../../notifications';
import { PrincipalCache } from '../../users';
import { LiveSessionsService } from '../live-sessions.service';

/**
 * Notifications' SESSION_CHECK port: the access guard's test, for a stream that outlives its request
 * (user active, same token epoch, session live), in the same single Redis round trip.
 */
@Injectable()
export class SessionCheckAdapter implements SessionCheck {
  constructor(
    private readonly principals: PrincipalCache,
    private readonly liveSessions: LiveSessionsService,
  ) {}

  async currentRole(session: StreamSession): Promise<Role | null> {
    const { user, session: entry } = await this.principals.lookup(
      session.userId,
      LiveSessionsService.key(session.sessionId),
    );
    if (!user || user.status !== 'active' || user.tokenEpoch !== session.tokenEpoch) return null;
    const live = await this.liveSessions.accepts(entry, {
      sub: session.userId,
      sid: session.sessionId,
      ep: session.tokenEpoch,
    });
    return live ? user.role : null;
  }
}
