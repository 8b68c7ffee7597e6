// The public surface of the health feature: what other features, the process roots and the
// tools may import. Anything not named here is internal (the dependency rule in .dependency-cruiser.cjs).
export { HealthModule } from './health.module';
export { HttpDrainService } from './http-drain.service';
