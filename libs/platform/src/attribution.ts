import { AsyncLocalStorage } from 'node:async_hooks';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { Observable } from 'rxjs';
import type { Principal } from './auth';

const caller = new AsyncLocalStorage<Principal>();

/**
 * The person whose request is being served (after RolesGuard authenticated it), for 21 CFR Part 11
 * attribution of what the service writes on their behalf; undefined outside a request.
 */
export function currentPrincipal(): Principal | undefined {
  return caller.getStore();
}

/**
 * Runs each handler with its authenticated principal in scope: the handler is invoked when the
 * returned Observable is subscribed, inside `run`, so every await below it sees the principal.
 */
@Injectable()
export class AttributionInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const principal = context.getType<string>() === 'graphql'
      ? GqlExecutionContext.create(context).getContext<{ principal?: Principal }>().principal
      : context.switchToHttp().getRequest<{ principal?: Principal }>()?.principal;
    if (!principal) return next.handle();
    return new Observable((subscriber) => caller.run(principal, () => next.handle().subscribe(subscriber)));
  }
}
