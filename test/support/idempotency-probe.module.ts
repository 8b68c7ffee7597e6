import {
  ApiProblemResponses,
  Authenticated,
  DomainError,
  CurrentUser,
  Idempotent,
  Public,
  type UserPrincipal,
} from '@app/common';
import { Body, Controller, HttpCode, Module, OnModuleInit, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsInt, IsString, Length, Max, Min } from 'class-validator';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';

/** A test-only table: one row per execution of a probe handler, so executions can be counted. */
export const PROBE_EFFECTS_TABLE = 'idempotency_probe_effects';
/** Long enough that concurrent duplicates find the first request still in flight. */
export const PROBE_HANDLER_MS = 250;

class ProbeEffectDto {
  @IsString()
  @Length(1, 50)
  name: string;

  @IsInt()
  @Min(0)
  @Max(1_000_000)
  amount: number;
}

class ProbeOutOfStockError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'out-of-stock';
  readonly title = 'Not enough stock';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

@ApiTags('probe')
@Controller('idempotency-probe')
class IdempotencyProbeController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Post('effects')
  @Public()
  @Idempotent()
  @ApiOperation({ summary: 'Record an effect (a row), slowly' })
  @ApiCreatedResponse({ description: 'The effect', schema: { type: 'object' } })
  async create(@Body() body: ProbeEffectDto) {
    const effect = await this.insert(body.name, body.amount, 'anonymous');
    await sleep(PROBE_HANDLER_MS);
    return effect;
  }

  @Post('other-effects')
  @Public()
  @Idempotent()
  @ApiOperation({ summary: 'The same, on another route' })
  @ApiCreatedResponse({ description: 'The effect', schema: { type: 'object' } })
  createOther(@Body() body: ProbeEffectDto) {
    return this.insert(body.name, body.amount, 'anonymous');
  }

  @Post('my-effects')
  @Authenticated()
  @Idempotent()
  @ApiOperation({ summary: 'Record an effect for the signed-in person' })
  @ApiCreatedResponse({ description: 'The effect', schema: { type: 'object' } })
  createMine(@Body() body: ProbeEffectDto, @CurrentUser() user: UserPrincipal) {
    return this.insert(body.name, body.amount, user.userId);
  }

  @Post('optional')
  @Public()
  @Idempotent({ required: false })
  @HttpCode(200)
  @ApiOperation({ summary: 'Key optional, 200 instead of 201' })
  @ApiOkResponse({ description: 'The effect', schema: { type: 'object' } })
  createOptional(@Body() body: ProbeEffectDto) {
    return this.insert(body.name, body.amount, 'anonymous');
  }

  @Post('out-of-stock')
  @Public()
  @Idempotent()
  @ApiOperation({ summary: 'Record an effect, then refuse with a domain error' })
  @ApiProblemResponses(409)
  async outOfStock(@Body() body: ProbeEffectDto): Promise<never> {
    await this.insert(body.name, body.amount, 'anonymous');
    throw new ProbeOutOfStockError(`Only ${body.amount} left.`, { available: body.amount });
  }

  @Post('crash')
  @Public()
  @Idempotent()
  @ApiOperation({ summary: 'Record an effect, then fail unexpectedly' })
  async crash(@Body() body: ProbeEffectDto): Promise<never> {
    await this.insert(body.name, body.amount, 'anonymous');
    throw new Error('the probe fell over');
  }

  private async insert(name: string, amount: number, owner: string) {
    const id = randomBytes(8).toString('hex');
    await this.dataSource.query(
      `INSERT INTO ${PROBE_EFFECTS_TABLE} (id, name, amount, owner) VALUES (?, ?, ?, ?)`,
      [id, name, amount, owner],
    );
    return { id, name, amount, owner, at: new Date() };
  }
}

/** Routes that exist only in tests, to exercise @Idempotent() on real requests. */
@Module({ controllers: [IdempotencyProbeController] })
export class IdempotencyProbeModule implements OnModuleInit {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    // Test scaffolding in the per-run test database, not part of the schema.
    await this.dataSource.query(
      `CREATE TABLE IF NOT EXISTS ${PROBE_EFFECTS_TABLE} (
         id char(16) NOT NULL PRIMARY KEY,
         name varchar(50) NOT NULL,
         amount int NOT NULL,
         owner varchar(64) NOT NULL,
         KEY ix_probe_effects_name (name)
       )`,
    );
  }
}
