import {
  Actor,
  ApiProblemResponses,
  ParseOpaqueIdPipe,
  type RequestActor,
  RequirePermission,
} from '@app/common';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminCategoriesService } from './admin-categories.service';
import { CategoryDto, CategoryListDto, CreateCategoryDto, UpdateCategoryDto } from '../dto/category.dto';

const Id = () => Param('id', new ParseOpaqueIdPipe());

@ApiTags('admin: catalog')
@Controller({ path: 'admin/categories' })
export class AdminCategoriesController {
  constructor(private readonly categories: AdminCategoriesService) {}

  @Get()
  @RequirePermission('catalog:write')
  @ApiOperation({ summary: 'Every category, flat, with versions' })
  @ApiOkResponse({ type: CategoryListDto })
  @ApiProblemResponses(401, 403)
  list(): Promise<CategoryListDto> {
    return this.categories.list();
  }

  @Post()
  @RequirePermission('catalog:write')
  @ApiOperation({ summary: 'Create a category (a root, or under a parent)' })
  @ApiCreatedResponse({ type: CategoryDto })
  @ApiProblemResponses(400, 401, 403, 404, 409, 422)
  create(@Actor() actor: RequestActor, @Body() body: CreateCategoryDto): Promise<CategoryDto> {
    return this.categories.create(actor, body);
  }

  @Patch(':id')
  @RequirePermission('catalog:write')
  @ApiOperation({ summary: 'Rename, re-slug, reorder or move a category (its subtree moves with it)' })
  @ApiOkResponse({ type: CategoryDto })
  @ApiProblemResponses(400, 401, 403, 404, 409, 422)
  update(
    @Actor() actor: RequestActor,
    @Id() id: string,
    @Body() body: UpdateCategoryDto,
  ): Promise<CategoryDto> {
    return this.categories.update(actor, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('catalog:write')
  @ApiOperation({ summary: 'Delete a category without subcategories (its products stay, unlinked)' })
  @ApiNoContentResponse()
  @ApiProblemResponses(400, 401, 403, 404, 409)
  remove(@Actor() actor: RequestActor, @Id() id: string): Promise<void> {
    return this.categories.remove(actor, id);
  }
}
