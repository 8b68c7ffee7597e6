import { ROLES, type Role } from '@app/common';
import { ApiProperty } from '@nestjs/swagger';
import { USER_STATUSES, type UserStatus } from '../entities/user.entity';
import type { UserSnapshot } from '../principal.cache';

/** A user as the user and staff see it. Never carries hashes, secrets or token state. */
export class UserResponseDto {
  @ApiProperty({ example: '0192f1d4-6f1e-7c3a-9b1a-3f2d1c0b9a87' })
  id: string;

  @ApiProperty({ example: 'ada@example.com' })
  email: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  name: string;

  @ApiProperty({ enum: ROLES })
  role: Role;

  @ApiProperty({ enum: USER_STATUSES })
  status: UserStatus;

  @ApiProperty()
  emailVerified: boolean;

  @ApiProperty()
  mfaEnabled: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class UserPageResponseDto {
  @ApiProperty({ type: [UserResponseDto] })
  data: UserResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

export function toUserResponse(user: UserSnapshot): UserResponseDto {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    status: user.status,
    emailVerified: user.emailVerified,
    mfaEnabled: user.mfaEnabled,
    createdAt: user.createdAt,
  };
}
