// The public surface of the audit feature: what other features, the process roots and the
// tools may import. Anything not named here is internal (the dependency rule in .dependency-cruiser.cjs).
export { AuditModule, AuditRecorderModule } from './audit.module';
export { AuditService } from './audit.service';
export type { SystemActor } from './audit.service';
