import { PickType } from '@nestjs/swagger';
import { ListAdminProductsQueryDto } from '../../dto/admin-product.dto';

/** The export takes the staff product list's status filter (default: every status). */
export class ExportProductsQueryDto extends PickType(ListAdminProductsQueryDto, ['status'] as const) {}
