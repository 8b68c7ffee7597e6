import { Global, Module } from '@nestjs/common';
import { SESSION_CHECK } from '../../notifications';
import { AuthModule } from '../auth.module';
import { SessionCheckAdapter } from './session-check.adapter';

/**
 * Provides notifications' SESSION_CHECK port (a real-time stream re-checks its session on every
 * heartbeat). Global, because notifications cannot import auth; the API root imports it once.
 */
@Global()
@Module({
  imports: [AuthModule],
  providers: [{ provide: SESSION_CHECK, useExisting: SessionCheckAdapter }],
  exports: [SESSION_CHECK],
})
export class SessionCheckModule {}
