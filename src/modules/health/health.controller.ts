import { ApiProblemResponses, Public } from '@app/common';
import { Controller, Get, Header, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { DependencyCheckDto, LivenessResponseDto, ReadinessResponseDto } from './dto/health.response.dto';
import { HealthService } from './health.service';

@ApiTags('ops')
@ApiExtraModels(DependencyCheckDto)
@SkipThrottle()
@Public()
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Liveness: the process is up and serving (touches no dependency)' })
  @ApiOkResponse({ type: LivenessResponseDto })
  @ApiProblemResponses(500)
  live(): LivenessResponseDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'Readiness: MySQL, Redis and the queues answer; 503 with the failing checks when not',
  })
  @ApiOkResponse({ type: ReadinessResponseDto })
  @ApiProblemResponses(503)
  ready(): Promise<ReadinessResponseDto> {
    return this.health.readiness();
  }
}
