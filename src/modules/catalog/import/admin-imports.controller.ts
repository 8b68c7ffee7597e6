import {
  Actor,
  ApiProblemResponses,
  ParseOpaqueIdPipe,
  type RequestActor,
  RequirePermission,
} from '@app/common';
import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CatalogImportsService } from './catalog-imports.service';
import { CSV_MEDIA_TYPE, CsvFile } from './csv-body.parser';
import { CSV_COLUMNS } from './csv-format';
import { CatalogJobAcceptedDto, CatalogJobResponseDto } from './dto/catalog-job.response.dto';

@ApiTags('admin: catalog')
@Controller({ path: 'admin' })
export class AdminImportsController {
  constructor(private readonly imports: CatalogImportsService) {}

  @Post('imports')
  @HttpCode(202)
  @RequirePermission('catalog:write')
  @ApiOperation({
    summary: 'Import products, variants, prices and stock from a CSV file (as a background job)',
    description:
      `One row per variant; header row required, columns in any order: ${CSV_COLUMNS.join(', ')} ` +
      '(product_slug and sku required; an unknown column refuses the whole file with 422). Upserts ' +
      'by SKU; the first row of a slug defines the product. Cells: categories `shirts|sale` (slugs), ' +
      'attributes and option_values `name=value;name=value`, options `size=S|M|L;colour=red|blue`, a ' +
      'backslash escapes `\\ ; = |` inside them; prices in integer minor units; on_hand is the ' +
      'absolute count at the stock location `location` (both blank: stock untouched). An absent column ' +
      'leaves its field as it is; a blank nullable cell clears it. A SKU may repeat only to give its ' +
      'stock at another location. Bad rows are skipped and reported on the job with their line ' +
      'number; re-importing a file changes nothing.',
  })
  @ApiConsumes(CSV_MEDIA_TYPE)
  @ApiBody({ schema: { type: 'string', format: 'binary' }, description: 'The CSV file (UTF-8).' })
  @ApiAcceptedResponse({
    type: CatalogJobAcceptedDto,
    description: 'Queued; poll the job (Location) for progress and bad rows.',
  })
  @ApiProblemResponses(400, 401, 403, 413, 415, 422)
  async upload(
    @Actor() actor: RequestActor,
    @CsvFile() file: Buffer,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CatalogJobAcceptedDto> {
    const accepted = await this.imports.upload(actor, file);
    void reply.header('location', accepted.links.self);
    return accepted;
  }

  @Get('jobs/:id')
  @RequirePermission('catalog:write')
  @ApiOperation({ summary: 'A catalog job: state, progress and the bad rows it skipped' })
  @ApiOkResponse({ type: CatalogJobResponseDto })
  @ApiProblemResponses(400, 401, 403, 404)
  getJob(@Param('id', new ParseOpaqueIdPipe()) id: string): Promise<CatalogJobResponseDto> {
    return this.imports.get(id);
  }
}
