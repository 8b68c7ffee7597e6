import {
  Actor,
  ApiProblemResponses,
  Page,
  PageQueryDto,
  ParseOpaqueIdPipe,
  type RequestActor,
  RequirePermission,
} from '@app/common';
import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeysService } from './api-keys.service';
import {
  ApiKeyPageResponseDto,
  ApiKeyResponseDto,
  CreateApiKeyDto,
  CreatedApiKeyResponseDto,
} from './dto/api-key.dto';

@ApiTags('admin: api keys')
@Controller({ path: 'admin/api-keys' })
export class AdminApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @RequirePermission('api-keys:manage')
  @ApiOperation({ summary: 'Create an API key with scopes; the key is shown only in this response' })
  @ApiCreatedResponse({ type: CreatedApiKeyResponseDto })
  @ApiProblemResponses(400, 401, 403)
  create(@Actor() actor: RequestActor, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyResponseDto> {
    return this.keys.create(actor, body);
  }

  @Get()
  @RequirePermission('api-keys:manage')
  @ApiOperation({ summary: 'List API keys (prefix, scopes, last use), newest first' })
  @ApiOkResponse({ type: ApiKeyPageResponseDto })
  @ApiProblemResponses(400, 401, 403)
  list(@Query() query: PageQueryDto): Promise<Page<ApiKeyResponseDto>> {
    return this.keys.list(query.cursor, query.limit);
  }

  @Delete(':id')
  @RequirePermission('api-keys:manage')
  @ApiOperation({ summary: 'Revoke an API key (refused at once on every replica)' })
  @ApiOkResponse({ type: ApiKeyResponseDto })
  @ApiProblemResponses(400, 401, 403, 404)
  revoke(
    @Actor() actor: RequestActor,
    @Param('id', new ParseOpaqueIdPipe()) id: string,
  ): Promise<ApiKeyResponseDto> {
    return this.keys.revoke(actor, id);
  }
}
