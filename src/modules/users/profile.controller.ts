import { ApiProblemResponses, Authenticated, CurrentUser, type UserPrincipal } from '@app/common';
import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { UpdateProfileDto } from './dto/update-profile.dto';
import { UserResponseDto } from './dto/user.response.dto';
import { ProfileService } from './profile.service';

@ApiTags('me')
@Controller({ path: 'me' })
export class ProfileController {
  constructor(private readonly profiles: ProfileService) {}

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'Your profile' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiProblemResponses(401)
  get(@CurrentUser() user: UserPrincipal): Promise<UserResponseDto> {
    return this.profiles.get(user);
  }

  @Patch()
  @Authenticated()
  @ApiOperation({ summary: 'Change your profile (name)' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiProblemResponses(400, 401)
  update(@CurrentUser() user: UserPrincipal, @Body() body: UpdateProfileDto): Promise<UserResponseDto> {
    return this.profiles.update(user, body);
  }
}
