import { Module } from '@nestjs/common';
import { InvariantsRepository } from './invariants.repository';
import { InvariantsService } from './invariants.service';

/**
 * Operator tooling over the other features' data: the invariant checker. It reads their tables and
 * the queues the process registered (the tool context and the worker register them all).
 */
@Module({
  providers: [InvariantsRepository, InvariantsService],
  exports: [InvariantsService],
})
export class OpsModule {}
