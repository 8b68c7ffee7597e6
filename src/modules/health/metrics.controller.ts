import { ApiProblemResponses, METRICS_TOKEN_SCHEME, Public } from '@app/common';
import { Controller, Get, Header, UseGuards, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Registry } from 'prom-client';
import { MetricsAccessGuard } from './metrics-access.guard';
import { MetricsService } from './metrics.service';

@ApiTags('ops')
@SkipThrottle()
// Not a person's or an API key's route: the scraper's own token, checked by MetricsAccessGuard.
@Public()
@UseGuards(MetricsAccessGuard)
@ApiSecurity(METRICS_TOKEN_SCHEME)
@Controller({ path: 'metrics', version: VERSION_NEUTRAL })
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('content-type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'Prometheus metrics: process, HTTP durations by route, queue depths, outbox lag',
    description:
      'For the scraper: send `Authorization: Bearer <METRICS_TOKEN>` (security scheme `metricsToken`). ' +
      'Without METRICS_TOKEN configured, open in development and test, and not served (404) in production.',
  })
  @ApiProduces(Registry.PROMETHEUS_CONTENT_TYPE)
  @ApiOkResponse({
    description: 'Metrics in the Prometheus text exposition format',
    schema: { type: 'string' },
  })
  @ApiProblemResponses(401, 404, 500)
  scrape(): Promise<string> {
    return this.metrics.render();
  }
}
