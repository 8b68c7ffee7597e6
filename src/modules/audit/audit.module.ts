import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminAuditController } from './admin-audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { AuditEntry } from './entities/audit-entry.entity';

/** Recording only (AuditService), without the HTTP route: what the worker's features import. */
@Module({
  imports: [TypeOrmModule.forFeature([AuditEntry])],
  providers: [AuditRepository, AuditService],
  exports: [AuditService],
})
export class AuditRecorderModule {}

@Module({
  imports: [AuditRecorderModule],
  controllers: [AdminAuditController],
  exports: [AuditRecorderModule],
})
export class AuditModule {}
