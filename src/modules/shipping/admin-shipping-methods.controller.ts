import {
  Actor,
  ApiProblemResponses,
  ParseOpaqueIdPipe,
  type RequestActor,
  RequirePermission,
} from '@app/common';
import { Body, Controller, Delete, HttpCode, Param, Patch } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminShippingMethodsService } from './admin-shipping-methods.service';
import { ShippingMethodDto, UpdateShippingMethodDto } from './dto/shipping-method.dto';

const Id = () => Param('id', new ParseOpaqueIdPipe());

@ApiTags('admin: shipping')
@Controller({ path: 'admin/shipping-methods' })
export class AdminShippingMethodsController {
  constructor(private readonly methods: AdminShippingMethodsService) {}

  @Patch(':id')
  @RequirePermission('settings:manage')
  @ApiOperation({
    summary: 'Change a shipping method (rate, free-over, position, active); `version` must match',
  })
  @ApiOkResponse({ type: ShippingMethodDto })
  @ApiProblemResponses(400, 401, 403, 404, 409)
  update(
    @Actor() actor: RequestActor,
    @Id() id: string,
    @Body() body: UpdateShippingMethodDto,
  ): Promise<ShippingMethodDto> {
    return this.methods.update(actor, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('settings:manage')
  @ApiOperation({ summary: 'Deactivate a shipping method (kept for carts and orders that name it)' })
  @ApiNoContentResponse({ description: 'Deactivated (or already inactive)' })
  @ApiProblemResponses(400, 401, 403, 404)
  deactivate(@Actor() actor: RequestActor, @Id() id: string): Promise<void> {
    return this.methods.deactivate(actor, id);
  }
}
