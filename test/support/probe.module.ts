import { ApiProblemResponses, ConflictError, Public } from '@app/common';
import { Body, Controller, Get, Module, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import { InjectDataSource } from '@nestjs/typeorm';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import { DataSource } from 'typeorm';

class ProbeLineDto {
  @IsInt()
  @Min(1)
  @Max(999)
  quantity: number;
}

class ProbeEchoDto {
  @IsString()
  @Length(1, 20)
  name: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => ProbeLineDto)
  line?: ProbeLineDto;
}

class SlowQueryDto {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10_000)
  ms: number;
}

/** How many /probe/slow requests have reached their handler: a test waits on it, not on a guess. */
export const slowProbe = { started: 0 };

/** Routes that exist only in tests, to exercise the HTTP conventions every real route inherits. */
@ApiTags('probe')
@Public()
@Controller('probe')
class ProbeController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Post('echo')
  @ApiOperation({ summary: 'Echo a validated body' })
  @ApiCreatedResponse({ description: 'The body, validated and transformed', schema: { type: 'object' } })
  @ApiProblemResponses(400)
  echo(@Body() body: ProbeEchoDto): ProbeEchoDto {
    return body;
  }

  @Get('conflict')
  @ApiOperation({ summary: 'Throw a domain error' })
  @ApiProblemResponses(409)
  conflict(): never {
    throw new ConflictError('The probe is in a state that refuses this.', { currentState: 'closed' });
  }

  @Get('crash')
  @ApiOperation({ summary: 'Throw an unexpected error' })
  @ApiProblemResponses(500)
  crash(): never {
    throw new Error('ER_BAD_FIELD: SELECT password_hash FROM users at /srv/storekeep/src/secret.ts:42');
  }

  @Post('duplicate')
  @ApiOperation({ summary: 'Insert a duplicate primary key' })
  @ApiCreatedResponse({ description: 'Never: the insert fails' })
  @ApiProblemResponses(409)
  async duplicate(): Promise<void> {
    await this.dataSource.query(
      'INSERT INTO migrations (id, timestamp, name) SELECT id, timestamp, name FROM migrations LIMIT 1',
    );
  }

  @Get('slow')
  @ApiOperation({ summary: 'Answer after a delay, using the database at the end' })
  @ApiOkResponse({
    description: 'Done',
    schema: { type: 'object', properties: { done: { type: 'boolean' } } },
  })
  @ApiProblemResponses(400)
  async slow(@Query() query: SlowQueryDto): Promise<{ done: boolean }> {
    slowProbe.started++;
    // The delay is the point of this route: a request still in flight.
    await new Promise((resolve) => setTimeout(resolve, query.ms));
    await this.dataSource.query('SELECT 1');
    return { done: true };
  }

  @Get('limited')
  @Throttle({ default: { limit: 3, ttl: 60_000 } })
  @ApiOperation({ summary: 'A route with a tight rate limit' })
  @ApiOkResponse({
    description: 'Not limited yet',
    schema: { type: 'object', properties: { ok: { type: 'boolean' } } },
  })
  @ApiProblemResponses(429)
  limited(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}
