import { ApiProblemResponses, Public } from '@app/common';
import { Controller, Get, Header, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Registry } from 'prom-client';
import { MetricsService } from './metrics.service';

@ApiTags('ops')
@SkipThrottle()
@Public()
@Controller({ path: 'metrics', version: VERSION_NEUTRAL })
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('content-type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics: process, HTTP durations by route, queue depths, outbox lag' })
  @ApiProduces(Registry.PROMETHEUS_CONTENT_TYPE)
  @ApiOkResponse({
    description: 'Metrics in the Prometheus text exposition format',
    schema: { type: 'string' },
  })
  @ApiProblemResponses(500)
  scrape(): Promise<string> {
    return this.metrics.render();
  }
}
