import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { tap, type Observable } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/principal';
import { noteAudit } from './audit-note';

/** Notes the id of what a handler answers (the sweep, dataset, token, user or project it created), the target of its audit event. */
@Injectable()
export class AuditAnswerInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    return next.handle().pipe(
      tap((answer) => {
        const created = answer as { id?: unknown; user?: { id?: unknown } } | undefined;
        const id = created?.id ?? created?.user?.id;
        if (typeof id === 'string') noteAudit(request, { answerId: id });
      }),
    );
  }
}
