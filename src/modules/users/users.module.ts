import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit';
import { AdminUsersController } from './admin-users.controller';
import { AdminUsersService } from './admin-users.service';
import { User } from './entities/user.entity';
import { PrincipalCache } from './principal.cache';
import { ProfileController } from './profile.controller';
import { ProfileService } from './profile.service';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([User]), AuditModule],
  controllers: [ProfileController, AdminUsersController],
  providers: [UsersRepository, PrincipalCache, UsersService, ProfileService, AdminUsersService],
  exports: [UsersService, PrincipalCache],
})
export class UsersModule {}
