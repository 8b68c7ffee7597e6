import { SecretBox } from '@app/common';
import { AppConfig } from '@app/config';
import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import {
  getOptionsToken,
  getStorageToken,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit';
import { OutboxModule } from '../outbox';
import { UsersModule } from '../users';
import { AccessGuard } from './access.guard';
import { AccountsService } from './accounts.service';
import { AdminApiKeysController } from './admin-api-keys.controller';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { ApiKey } from './entities/api-key.entity';
import { EmailToken } from './entities/email-token.entity';
import { RecoveryCode } from './entities/recovery-code.entity';
import { RefreshToken } from './entities/refresh-token.entity';
import { Session } from './entities/session.entity';
import { LiveSessionsService } from './live-sessions.service';
import { LoginThrottleService } from './login-throttle.service';
import { MeSecurityController } from './me-security.controller';
import { MfaChallengesService } from './mfa-challenges.service';
import { MfaService } from './mfa.service';
import { OneTimeTokensRepository } from './one-time-tokens.repository';
import { PasswordHasherService } from './passwords/password-hasher.service';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';
import { StaticMetadataReflector } from './static-metadata.reflector';
import { SessionCheckAdapter } from './tokens/session-check.adapter';
import { JwtStrategy } from './tokens/jwt.strategy';
import { jwtKey, TokenService } from './tokens/token.service';

/** Sign-in, sessions, MFA, API keys and the global access guard (registered by the API root). */
@Module({
  imports: [
    TypeOrmModule.forFeature([Session, RefreshToken, EmailToken, RecoveryCode, ApiKey]),
    PassportModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ secret: jwtKey(config) }),
    }),
    UsersModule,
    AuditModule,
    OutboxModule,
  ],
  controllers: [AuthController, MeSecurityController, AdminApiKeysController],
  providers: [
    AccessGuard,
    AccountsService,
    ApiKeysRepository,
    ApiKeysService,
    AuthService,
    JwtStrategy,
    LiveSessionsService,
    LoginThrottleService,
    MfaChallengesService,
    MfaService,
    OneTimeTokensRepository,
    PasswordHasherService,
    SecretBox,
    {
      // The library's guard, given a reflector that reads route metadata once (see StaticMetadataReflector).
      provide: ThrottlerGuard,
      inject: [getOptionsToken(), getStorageToken()],
      useFactory: (options: ThrottlerModuleOptions, storage: ThrottlerStorage) =>
        new ThrottlerGuard(options, storage, new StaticMetadataReflector()),
    },
    SessionsRepository,
    SessionsService,
    SessionCheckAdapter,
    TokenService,
  ],
  exports: [AccessGuard, SessionCheckAdapter],
})
export class AuthModule {}
