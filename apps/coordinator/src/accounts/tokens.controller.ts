import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CreateTokenSchema, ListTokensQuerySchema, type CreatedTokenDto, type TokenDto } from '@tuneforge/contracts';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { parseBody, parseQuery } from '../common/query';
import { TokensService } from './tokens.service';

@ApiTags('accounts')
@Controller('tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  @ApiOperation({ summary: 'A new API token for the caller (a deployment admin may name another `user`); the answer is the only place the token appears' })
  @ApiResponse({ status: 201, description: 'created: `token` is shown this once' })
  @ApiResponse({ status: 400, description: 'a bad name or expiresInDays; `issues` names the field' })
  @ApiResponse({ status: 403, description: 'a token for another user, by a caller who does not administer the deployment' })
  @ApiResponse({ status: 404, description: 'no such user (USER_NOT_FOUND)' })
  create(@Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<CreatedTokenDto> {
    return this.tokens.create(principal, parseBody(CreateTokenSchema, body));
  }

  @Get()
  @ApiOperation({ summary: "The caller's API tokens (deployment admins: `?user=` anyone's), newest first, without their secrets" })
  list(@Query() query: unknown, @CurrentPrincipal() principal: Principal): Promise<{ items: TokenDto[] }> {
    return this.tokens.list(principal, parseQuery(ListTokensQuerySchema, query).user);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API token (the caller’s own; deployment admins: any); it stops working at once' })
  @ApiResponse({ status: 204, description: 'revoked (or it was already)' })
  @ApiResponse({ status: 404, description: "no such token, or another user's (TOKEN_NOT_FOUND)" })
  async revoke(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.tokens.revoke(principal, id);
  }
}
