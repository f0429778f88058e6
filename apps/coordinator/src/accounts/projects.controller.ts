import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CreateProjectSchema, SetMemberSchema, type MemberDto, type ProjectDto } from '@tuneforge/contracts';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { parseBody, refuseUnstorable } from '../common/query';
import { ProjectsService } from './projects.service';

@ApiTags('accounts')
@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Get()
  @ApiOperation({ summary: "The caller's projects with their role in each (deployment admins: every project, as admin)" })
  list(@CurrentPrincipal() principal: Principal): Promise<{ items: ProjectDto[] }> {
    return this.projects.list(principal);
  }

  @Post()
  @ApiOperation({ summary: 'Create a project (deployment admins); its creator becomes its admin' })
  @ApiResponse({ status: 201, description: 'created' })
  @ApiResponse({ status: 409, description: 'the name is taken (PROJECT_EXISTS)' })
  create(@Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<ProjectDto> {
    return this.projects.create(principal, parseBody(CreateProjectSchema, body).name);
  }

  @Get(':id/members')
  @ApiOperation({ summary: "A project's members with their roles" })
  @ApiResponse({ status: 404, description: 'no such project, or the caller is not a member' })
  members(@Param('id') id: string): Promise<{ items: MemberDto[] }> {
    return this.projects.members(id);
  }

  @Put(':id/members/:userId')
  @ApiOperation({ summary: 'Add a user (by id or name) to the project with `role`, or change their role (project admins)' })
  @ApiResponse({ status: 404, description: 'no such project (PROJECT_NOT_FOUND) or user (USER_NOT_FOUND)' })
  @ApiResponse({ status: 409, description: "demoting the project's last admin (LAST_PROJECT_ADMIN)" })
  setMember(@Param('id') id: string, @Param('userId') userId: string, @Body() body: unknown): Promise<MemberDto> {
    const { role } = parseBody(SetMemberSchema, body);
    refuseUnstorable(userId, 'params.userId');
    return this.projects.setMember(id, userId, role);
  }

  @Delete(':id/members/:userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a user (by id or name) from the project (project admins)' })
  @ApiResponse({ status: 204, description: 'removed' })
  @ApiResponse({ status: 404, description: 'no such project, user, or membership (MEMBER_NOT_FOUND)' })
  @ApiResponse({ status: 409, description: "the user is the project's last admin (LAST_PROJECT_ADMIN)" })
  async removeMember(@Param('id') id: string, @Param('userId') userId: string): Promise<void> {
    refuseUnstorable(userId, 'params.userId');
    await this.projects.removeMember(id, userId);
  }
}
