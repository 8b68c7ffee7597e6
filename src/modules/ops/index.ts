// The public surface of the ops feature: what the process roots and the tools may import. Anything not
// named here is internal (the dependency rule in .dependency-cruiser.cjs).
export { DEFAULT_THRESHOLDS, InvariantsService } from './invariants.service';
export type { InvariantReport, InvariantResult, InvariantThresholds } from './invariants.service';
export { OpsModule } from './ops.module';
