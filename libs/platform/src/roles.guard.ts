import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Request } from 'express';
import { AccessError, Authenticator, Principal, UserRole } from './auth';

export const ROLES_KEY = 'pedigree:roles';
export const PUBLIC_KEY = 'pedigree:public';
export const ANY_ORGANISATION_KEY = 'pedigree:any-organisation';
export const AUTHENTICATOR = Symbol('AUTHENTICATOR');

/** The roles allowed to call a resolver or route. Everything not marked is refused (fail closed). */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES_KEY, roles);
/** Answers without authentication (health, service info). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
/**
 * Admits authenticated users of any organisation the service knows (with one of `roles`), not only
 * its own: routes other trading partners call, such as the VRS responder. The route itself must
 * then check what the caller's organisation may ask.
 */
export const AnyOrganisation = (...roles: UserRole[]) => SetMetadata(ANY_ORGANISATION_KEY, roles);

/** The request shape the guard decorates with the caller. */
export interface AuthenticatedRequest extends Request {
  principal?: Principal;
  /** Who the caller claims to be, checked once per request (by the rate limiter, then reused here). */
  identity?: Promise<Principal>;
}

export function requestOf(context: ExecutionContext): AuthenticatedRequest | undefined {
  if (context.getType<string>() === 'graphql') {
    const ctx = GqlExecutionContext.create(context).getContext<{ req?: AuthenticatedRequest; principal?: Principal }>();
    return ctx.req;
  }
  return context.switchToHttp().getRequest<AuthenticatedRequest>();
}

/** The caller of an HTTP request, identified once whichever of the middleware and guards asks first. */
export function identityOf(req: AuthenticatedRequest, authenticator: Authenticator): Promise<Principal> {
  if (!req.identity) {
    req.identity = authenticator.identify(req.headers);
    // Rejections are handled by whoever awaits it; do not let an unawaited one crash the process.
    req.identity.catch(() => undefined);
  }
  return req.identity;
}

@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const partners = this.reflector.getAllAndOverride<UserRole[] | undefined>(ANY_ORGANISATION_KEY, targets);
    const roles = partners ?? this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES_KEY, targets);
    const req = requestOf(context);
    if (context.getType<string>() === 'graphql') {
      const gql = GqlExecutionContext.create(context).getContext<{ principal?: Principal }>();
      // Subscriptions over graphql-ws were authenticated when the socket connected (onConnect).
      const principal = gql.principal ?? (req ? this.authenticator.admit(await identityOf(req, this.authenticator)) : undefined);
      if (!principal) throw new AccessError('UNAUTHENTICATED', 'no credentials');
      gql.principal = principal;
      if (req) req.principal = principal;
      return this.admit(principal, roles);
    }
    if (!req) throw new AccessError('UNAUTHENTICATED', 'no request');
    const identity = await identityOf(req, this.authenticator);
    req.principal = partners ? identity : this.authenticator.admit(identity);
    return this.admit(req.principal, roles);
  }

  private admit(principal: Principal, roles: UserRole[] | undefined): boolean {
    if (!roles || !roles.includes(principal.role)) {
      throw new AccessError('FORBIDDEN', `role ${principal.role} may not do this${roles ? ` (allowed: ${roles.join(', ')})` : ''}`);
    }
    return true;
  }
}
