import { ApiProblemResponses, RequirePermission } from '@app/common';
import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CatalogExportService } from './catalog-export.service';
import { CSV_MEDIA_TYPE } from './csv-body.parser';
import { ExportProductsQueryDto } from './dto/export-products.query.dto';

@ApiTags('admin: catalog')
@Controller({ path: 'admin/exports' })
export class AdminExportsController {
  constructor(private readonly exports: CatalogExportService) {}

  @Get('products.csv')
  @RequirePermission('catalog:write')
  @ApiOperation({
    summary: 'Download the catalog as CSV, in the import format (streamed)',
    description:
      'One row per variant and stock location (a variant without stock: one row, location empty). ' +
      'Importing the file unchanged changes nothing.',
  })
  @ApiProduces(CSV_MEDIA_TYPE)
  @ApiOkResponse({ description: 'The CSV file.', schema: { type: 'string' } })
  @ApiProblemResponses(400, 401, 403)
  async exportProducts(@Query() query: ExportProductsQueryDto, @Res() reply: FastifyReply): Promise<void> {
    const csv = await this.exports.productsCsv(query.status);
    void reply
      .header('content-type', `${CSV_MEDIA_TYPE}; charset=utf-8`)
      .header('content-disposition', 'attachment; filename="products.csv"')
      .send(csv);
  }
}
