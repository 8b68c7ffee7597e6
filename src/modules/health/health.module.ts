import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { HttpDrainService } from './http-drain.service';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { AnalyticsCoreModule } from '../analytics';
import { JobFailureCounterService } from '../notifications';
import { OutboxModule } from '../outbox';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), OutboxModule, AnalyticsCoreModule],
  controllers: [HealthController, MetricsController],
  providers: [HealthService, MetricsService, JobFailureCounterService, HttpDrainService],
  exports: [HttpDrainService],
})
export class HealthModule {}
