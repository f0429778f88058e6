import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CreateServiceAccountSchema, CreateUserSchema, type ServiceAccountDto, type UserDto } from '@tuneforge/contracts';
import { parseBody } from '../common/query';
import { UsersService } from './users.service';

@ApiTags('accounts')
@Controller()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post('users')
  @ApiOperation({ summary: 'Create a person (deployment admins): with a password they sign in on the dashboard; give them a token with POST /tokens { user }' })
  @ApiResponse({ status: 201, description: 'created' })
  @ApiResponse({ status: 400, description: 'a bad name, or a password under 12 characters; `issues` names the field' })
  @ApiResponse({ status: 409, description: 'the name is taken (USER_EXISTS)' })
  create(@Body() body: unknown): Promise<UserDto> {
    return this.users.create(parseBody(CreateUserSchema, body));
  }

  @Get('users')
  @ApiOperation({ summary: 'Every user and service account (deployment admins)' })
  list(): Promise<{ items: UserDto[] }> {
    return this.users.list();
  }

  @Post('projects/:id/service-accounts')
  @ApiOperation({ summary: "A service account for automation (project admins): a member of the project with `role`, and its first API token, shown once" })
  @ApiResponse({ status: 201, description: 'created: `token.token` is shown this once' })
  @ApiResponse({ status: 404, description: 'no such project' })
  @ApiResponse({ status: 409, description: 'the name is taken (USER_EXISTS)' })
  createServiceAccount(@Param('id') projectId: string, @Body() body: unknown): Promise<ServiceAccountDto> {
    return this.users.createServiceAccount(projectId, parseBody(CreateServiceAccountSchema, body));
  }
}
