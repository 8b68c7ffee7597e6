import {
  Actor,
  actorName,
  ApiProblemResponses,
  Page,
  ParseOpaqueIdPipe,
  type RequestActor,
  RequirePermission,
} from '@app/common';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AdjustStockDto,
  CreateReservationDto,
  LevelDto,
  LevelPageDto,
  ListLevelsQueryDto,
  ListMovementsQueryDto,
  MovementDto,
  MovementPageDto,
  ReservationDto,
  StockChangeResultDto,
  TransferStockDto,
} from './dto/inventory.dto';
import { InventoryService } from './inventory.service';
import { ReservationsService, ReservationView } from './reservations.service';

const Id = () => Param('id', new ParseOpaqueIdPipe());
const toReservation = (view: ReservationView): ReservationDto => ({
  ...view,
  expiresAt: view.expiresAt ? view.expiresAt.toISOString() : null,
});

@ApiTags('admin: inventory')
@Controller({ path: 'admin/inventory' })
export class AdminInventoryController {
  constructor(
    private readonly inventory: InventoryService,
    private readonly reservations: ReservationsService,
  ) {}

  @Get()
  @RequirePermission('inventory:write')
  @ApiOperation({ summary: 'Stock levels per variant and location (on hand, reserved, available)' })
  @ApiOkResponse({ type: LevelPageDto })
  @ApiProblemResponses(400, 401, 403, 422)
  levels(@Query() query: ListLevelsQueryDto): Promise<Page<LevelDto>> {
    return this.inventory.levels(query);
  }

  @Get('movements')
  @RequirePermission('inventory:write')
  @ApiOperation({ summary: 'The append-only movement ledger, newest first' })
  @ApiOkResponse({ type: MovementPageDto })
  @ApiProblemResponses(400, 401, 403, 422)
  movements(@Query() query: ListMovementsQueryDto): Promise<Page<MovementDto>> {
    return this.inventory.movements(query);
  }

  @Post('adjustments')
  @RequirePermission('inventory:write')
  @ApiOperation({ summary: 'Record stock received, sold, returned, damaged or corrected at a location' })
  @ApiCreatedResponse({ type: StockChangeResultDto })
  @ApiProblemResponses(400, 401, 403, 404, 409, 422)
  adjust(@Actor() actor: RequestActor, @Body() body: AdjustStockDto): Promise<StockChangeResultDto> {
    return this.inventory.adjust(actor, body);
  }

  @Post('transfers')
  @RequirePermission('inventory:write')
  @ApiOperation({ summary: 'Move stock of a variant between two locations' })
  @ApiCreatedResponse({ type: StockChangeResultDto })
  @ApiProblemResponses(400, 401, 403, 404, 409, 422)
  transfer(@Actor() actor: RequestActor, @Body() body: TransferStockDto): Promise<StockChangeResultDto> {
    return this.inventory.transfer(actor, body);
  }

  @Post('reservations')
  @RequirePermission('inventory:write')
  @ApiOperation({
    summary:
      'Reserve stock for several lines at once: all or nothing (409 names each short line); a repeated reference is idempotent',
  })
  @ApiCreatedResponse({ type: ReservationDto })
  @ApiProblemResponses(400, 401, 403, 409, 422)
  async reserve(@Actor() actor: RequestActor, @Body() body: CreateReservationDto): Promise<ReservationDto> {
    const expiresAt = body.expiresInSeconds ? new Date(Date.now() + body.expiresInSeconds * 1000) : null;
    return toReservation(
      await this.reservations.reserve(body.reference, body.lines, {
        expiresAt,
        actor: actorName(actor.principal),
      }),
    );
  }

  @Get('reservations/:id')
  @RequirePermission('inventory:write')
  @ApiOperation({ summary: 'One reservation and what it holds where' })
  @ApiOkResponse({ type: ReservationDto })
  @ApiProblemResponses(400, 401, 403, 404)
  async reservation(@Id() id: string): Promise<ReservationDto> {
    return toReservation(await this.reservations.get(id));
  }

  @Post('reservations/:id/commit')
  @HttpCode(200)
  @RequirePermission('inventory:write')
  @ApiOperation({ summary: 'Sell what the reservation holds (on hand and reserved fall); idempotent' })
  @ApiOkResponse({ type: ReservationDto })
  @ApiProblemResponses(400, 401, 403, 404, 409)
  async commit(@Actor() actor: RequestActor, @Id() id: string): Promise<ReservationDto> {
    return toReservation(await this.reservations.commit({ id }, actorName(actor.principal)));
  }

  @Post('reservations/:id/release')
  @HttpCode(200)
  @RequirePermission('inventory:write')
  @ApiOperation({ summary: 'Return what the reservation holds to available stock; idempotent' })
  @ApiOkResponse({ type: ReservationDto })
  @ApiProblemResponses(400, 401, 403, 404, 409)
  async release(@Actor() actor: RequestActor, @Id() id: string): Promise<ReservationDto> {
    return toReservation(await this.reservations.release({ id }, actorName(actor.principal)));
  }
}
