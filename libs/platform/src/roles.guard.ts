import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Request } from 'express';
import { AccessError, Authenticator, Principal, UserRole } from './auth';

export const ROLES_KEY = 'pedigree:roles';
export const PUBLIC_KEY = 'pedigree:public';
export const AUTHENTICATOR = Symbol('AUTHENTICATOR');

/** The roles allowed to call a resolver or route. Everything not marked is refused (fail closed). */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES_KEY, roles);
/** Answers without authentication (health, service info). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The request shape the guard decorates with the caller. */
export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}

export function requestOf(context: ExecutionContext): AuthenticatedRequest | undefined {
  if (context.getType<string>() === 'graphql') {
    const ctx = GqlExecutionContext.create(context).getContext<{ req?: AuthenticatedRequest; principal?: Principal }>();
    return ctx.req;
  }
  return context.switchToHttp().getRequest<AuthenticatedRequest>();
}

@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES_KEY, targets);
    const req = requestOf(context);
    if (context.getType<string>() === 'graphql') {
      const gql = GqlExecutionContext.create(context).getContext<{ principal?: Principal; connectionParams?: Record<string, string> }>();
      // Subscriptions over graphql-ws carry the key in connectionParams instead of headers.
      const principal = gql.principal ?? this.authenticator.authenticate(req?.headers ?? lowerCase(gql.connectionParams ?? {}));
      gql.principal = principal;
      if (req) req.principal = principal;
      return this.admit(principal, roles);
    }
    if (!req) throw new AccessError('UNAUTHENTICATED', 'no request');
    req.principal = this.authenticator.authenticate(req.headers);
    return this.admit(req.principal, roles);
  }

  private admit(principal: Principal, roles: UserRole[] | undefined): boolean {
    if (!roles || !roles.includes(principal.role)) {
      throw new AccessError('FORBIDDEN', `role ${principal.role} may not do this${roles ? ` (allowed: ${roles.join(', ')})` : ''}`);
    }
    return true;
  }
}

function lowerCase(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k.toLowerCase(), v]));
}
