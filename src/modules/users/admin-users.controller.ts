import {
  Actor,
  ApiProblemResponses,
  Page,
  ParseOpaqueIdPipe,
  type RequestActor,
  RequirePermission,
} from '@app/common';
import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminUsersService } from './admin-users.service';
import { ChangeRoleDto, ListUsersQueryDto } from './dto/admin-users.dto';
import { UserPageResponseDto, UserResponseDto } from './dto/user.response.dto';

const UserId = () => Param('id', new ParseOpaqueIdPipe());

@ApiTags('admin: users')
@Controller({ path: 'admin/users' })
export class AdminUsersController {
  constructor(private readonly users: AdminUsersService) {}

  @Get()
  @RequirePermission('users:manage')
  @ApiOperation({ summary: 'List and search users, newest first' })
  @ApiOkResponse({ type: UserPageResponseDto })
  @ApiProblemResponses(400, 401, 403)
  list(@Query() query: ListUsersQueryDto): Promise<Page<UserResponseDto>> {
    return this.users.list(query);
  }

  @Get(':id')
  @RequirePermission('users:manage')
  @ApiOperation({ summary: 'One user' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiProblemResponses(400, 401, 403, 404)
  get(@UserId() id: string): Promise<UserResponseDto> {
    return this.users.get(id);
  }

  @Put(':id/role')
  @RequirePermission('users:manage')
  @ApiOperation({ summary: 'Change a user’s role (ends all their sessions; never your own)' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiProblemResponses(400, 401, 403, 404)
  changeRole(
    @Actor() actor: RequestActor,
    @UserId() id: string,
    @Body() body: ChangeRoleDto,
  ): Promise<UserResponseDto> {
    return this.users.changeRole(actor, id, body.role);
  }

  @Post(':id/disable')
  @HttpCode(200)
  @RequirePermission('users:manage')
  @ApiOperation({ summary: 'Disable a user: every request of theirs is refused at once' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiProblemResponses(400, 401, 403, 404)
  disable(@Actor() actor: RequestActor, @UserId() id: string): Promise<UserResponseDto> {
    return this.users.setStatus(actor, id, 'disabled');
  }

  @Post(':id/enable')
  @HttpCode(200)
  @RequirePermission('users:manage')
  @ApiOperation({ summary: 'Enable a disabled user' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiProblemResponses(400, 401, 403, 404)
  enable(@Actor() actor: RequestActor, @UserId() id: string): Promise<UserResponseDto> {
    return this.users.setStatus(actor, id, 'active');
  }
}
