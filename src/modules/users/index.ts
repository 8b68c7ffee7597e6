// The public surface of the users feature: what other features, the process roots and the
// tools may import. Anything not named here is internal (the dependency rule in .dependency-cruiser.cjs).
export { PrincipalCache } from './principal.cache';
export type { UserSnapshot } from './principal.cache';
export { UsersModule } from './users.module';
export { UsersService } from './users.service';
export type { User } from './users.service';
