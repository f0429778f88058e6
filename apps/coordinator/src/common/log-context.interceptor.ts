import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { withLogContext, type LogFields } from '@tuneforge/logging';
import type { Request } from 'express';
import { Observable } from 'rxjs';
import { apiRouteOf } from '../auth/api-route-of';
import { isUuid } from './query';

/** A request about one sweep or trial (the `:id` its route's access rule names) runs in that log context: its handler's lines carry the id. */
@Injectable()
export class LogContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const fields = logFieldsOf(context.switchToHttp().getRequest<Request>());
    if (!fields) return next.handle();
    // The handler runs when the stream is subscribed to, so it subscribes inside the context.
    return new Observable((subscriber) => withLogContext(fields, () => next.handle().subscribe(subscriber)));
  }
}

function logFieldsOf(request: Request): LogFields | undefined {
  const rule = apiRouteOf(request)?.route.access;
  const id = request.params?.id;
  if (typeof rule !== 'object' || typeof id !== 'string' || !isUuid(id)) return undefined;
  if (rule.of === 'sweep') return { sweepId: id };
  if (rule.of === 'trial') return { trialId: id };
  return undefined;
}
