import {
  Actor,
  ApiProblemResponses,
  type Page,
  PageQueryDto,
  ParseOpaqueIdPipe,
  type RequestActor,
  RequirePermission,
} from '@app/common';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminWebhookDeliveriesService } from './admin-webhook-deliveries.service';
import { AdminWebhooksService } from './admin-webhooks.service';
import {
  CreateWebhookEndpointDto,
  ListWebhookDeliveriesQueryDto,
  ReplayFailedDeliveriesDto,
  UpdateWebhookEndpointDto,
} from './dto/webhook-endpoint.dto';
import {
  WebhookDeliveryDetailDto,
  WebhookDeliveryDto,
  WebhookDeliveryPageDto,
  WebhookEndpointCreatedDto,
  WebhookEndpointDto,
  WebhookEndpointPageDto,
  WebhookReplayResultDto,
  WebhookSecretRotatedDto,
} from './dto/webhook.response.dto';

const Id = () => Param('id', new ParseOpaqueIdPipe());
const DeliveryId = () => Param('deliveryId', new ParseOpaqueIdPipe());

@ApiTags('admin: webhooks')
@Controller({ path: 'admin/webhooks' })
export class AdminWebhooksController {
  constructor(
    private readonly endpoints: AdminWebhooksService,
    private readonly deliveries: AdminWebhookDeliveriesService,
  ) {}

  @Post()
  @RequirePermission('webhooks:manage')
  @ApiOperation({
    summary: 'Register a webhook endpoint; the answer shows its signing secret once',
    description:
      'The URL must be https (http only where the server allows it) and must not reach a private, local or reserved address (422 `webhook-url-refused`).',
  })
  @ApiCreatedResponse({ type: WebhookEndpointCreatedDto })
  @ApiProblemResponses(400, 401, 403, 422)
  create(
    @Actor() actor: RequestActor,
    @Body() dto: CreateWebhookEndpointDto,
  ): Promise<WebhookEndpointCreatedDto> {
    return this.endpoints.create(actor, dto);
  }

  @Get()
  @RequirePermission('webhooks:manage')
  @ApiOperation({ summary: 'List webhook endpoints, newest first' })
  @ApiOkResponse({ type: WebhookEndpointPageDto })
  @ApiProblemResponses(400, 401, 403)
  list(@Query() query: PageQueryDto): Promise<Page<WebhookEndpointDto>> {
    return this.endpoints.list(query);
  }

  @Get(':id')
  @RequirePermission('webhooks:manage')
  @ApiOperation({ summary: 'One webhook endpoint (its secret is never shown again)' })
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiProblemResponses(401, 403, 404)
  get(@Id() id: string): Promise<WebhookEndpointDto> {
    return this.endpoints.get(id);
  }

  @Patch(':id')
  @RequirePermission('webhooks:manage')
  @ApiOperation({ summary: 'Change the URL, the event filters, the description, or enable/disable' })
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiProblemResponses(400, 401, 403, 404, 422)
  update(
    @Actor() actor: RequestActor,
    @Id() id: string,
    @Body() dto: UpdateWebhookEndpointDto,
  ): Promise<WebhookEndpointDto> {
    return this.endpoints.update(actor, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('webhooks:manage')
  @ApiOperation({ summary: 'Remove a webhook endpoint with its delivery log' })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiProblemResponses(401, 403, 404)
  remove(@Actor() actor: RequestActor, @Id() id: string): Promise<void> {
    return this.endpoints.remove(actor, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @RequirePermission('webhooks:manage')
  @ApiOperation({
    summary: 'Replace the signing secret (shown once); the old one keeps signing during a grace period',
  })
  @ApiOkResponse({ type: WebhookSecretRotatedDto })
  @ApiProblemResponses(401, 403, 404)
  rotateSecret(@Actor() actor: RequestActor, @Id() id: string): Promise<WebhookSecretRotatedDto> {
    return this.endpoints.rotateSecret(actor, id);
  }

  @Post(':id/ping')
  @HttpCode(202)
  @RequirePermission('webhooks:manage')
  @ApiOperation({ summary: 'Send a `webhook.ping` event to this endpoint' })
  @ApiAcceptedResponse({ type: WebhookDeliveryDto })
  @ApiProblemResponses(401, 403, 404, 409)
  ping(@Actor() actor: RequestActor, @Id() id: string): Promise<WebhookDeliveryDto> {
    return this.deliveries.ping(actor, id);
  }

  @Post(':id/replay-failed')
  @HttpCode(202)
  @RequirePermission('webhooks:manage')
  @ApiOperation({ summary: 'Send again every failed delivery created since a time (up to 1000 per call)' })
  @ApiAcceptedResponse({ type: WebhookReplayResultDto })
  @ApiProblemResponses(400, 401, 403, 404, 409)
  replayFailed(
    @Actor() actor: RequestActor,
    @Id() id: string,
    @Body() dto: ReplayFailedDeliveriesDto,
  ): Promise<WebhookReplayResultDto> {
    return this.deliveries.replayFailed(actor, id, new Date(dto.since));
  }

  @Get(':id/deliveries')
  @RequirePermission('webhooks:manage')
  @ApiOperation({ summary: 'The endpoint’s deliveries, newest first (filter by status)' })
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  @ApiProblemResponses(400, 401, 403, 404)
  listDeliveries(
    @Id() id: string,
    @Query() query: ListWebhookDeliveriesQueryDto,
  ): Promise<Page<WebhookDeliveryDto>> {
    return this.deliveries.list(id, query);
  }

  @Get(':id/deliveries/:deliveryId')
  @RequirePermission('webhooks:manage')
  @ApiOperation({ summary: 'One delivery with its body and every attempt' })
  @ApiOkResponse({ type: WebhookDeliveryDetailDto })
  @ApiProblemResponses(401, 403, 404)
  getDelivery(@Id() id: string, @DeliveryId() deliveryId: string): Promise<WebhookDeliveryDetailDto> {
    return this.deliveries.get(id, deliveryId);
  }

  @Post(':id/deliveries/:deliveryId/replay')
  @HttpCode(202)
  @RequirePermission('webhooks:manage')
  @ApiOperation({ summary: 'Send a delivery again: a new series of attempts with the same `webhook-id`' })
  @ApiAcceptedResponse({ type: WebhookDeliveryDto })
  @ApiProblemResponses(401, 403, 404, 409)
  replay(
    @Actor() actor: RequestActor,
    @Id() id: string,
    @DeliveryId() deliveryId: string,
  ): Promise<WebhookDeliveryDto> {
    return this.deliveries.replay(actor, id, deliveryId);
  }
}
