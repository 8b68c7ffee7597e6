import type { Role } from '@app/common';
import { Injectable } from '@nestjs/common';
import type { SessionCheck, StreamSession } from '../../notifications';
import { LiveSessionsService } from '../live-sessions.service';

/**
 * Notifications' SESSION_CHECK port: the access guard's test, for a stream that outlives its request
 * (user active, same token epoch, session live), from the same process copies.
 */
@Injectable()
export class SessionCheckAdapter implements SessionCheck {
  constructor(private readonly liveSessions: LiveSessionsService) {}

  async currentRole(session: StreamSession): Promise<Role | null> {
    const user = await this.liveSessions.currentUser({
      sub: session.userId,
      sid: session.sessionId,
      ep: session.tokenEpoch,
    });
    return user?.role ?? null;
  }
}
