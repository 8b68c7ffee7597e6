import { ApiProblemResponses, Page, RequirePermission } from '@app/common';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditService } from './audit.service';
import { AuditEntryResponseDto, AuditPageResponseDto } from './dto/audit-entry.response.dto';
import { ListAuditQueryDto } from './dto/list-audit.query.dto';

@ApiTags('admin: audit')
@Controller({ path: 'admin/audit' })
export class AdminAuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @RequirePermission('audit:read')
  @ApiOperation({ summary: 'List audit entries, newest first' })
  @ApiOkResponse({ type: AuditPageResponseDto })
  @ApiProblemResponses(400, 401, 403)
  list(@Query() query: ListAuditQueryDto): Promise<Page<AuditEntryResponseDto>> {
    return this.audit.list(query);
  }
}
