// The public surface of the auth feature: what other features, the process roots and the
// tools may import. Anything not named here is internal (the dependency rule in .dependency-cruiser.cjs).
export { AccessGuard } from './access.guard';
export { ApiKeysService } from './api-keys.service';
export { AuthModule } from './auth.module';
export { normaliseEmail } from './dto/credentials.dto';
export { PasswordHasherService } from './passwords/password-hasher.service';
export { passwordProblem } from './passwords/password-policy';
export { SessionCheckModule } from './tokens/session-check.module';
