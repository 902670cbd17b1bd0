import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Admin endpoints: `Authorization: Bearer $ADMIN_TOKEN`, compared in constant time. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.adminToken;
    if (expected === undefined) {
      throw new UnauthorizedException('admin endpoints are disabled: set ADMIN_TOKEN to enable them');
    }
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    // Hashing first gives equal-length buffers, so the comparison time does not depend on the token.
    if (!match?.[1] || !timingSafeEqual(digest(match[1]), digest(expected))) {
      throw new UnauthorizedException('missing or wrong bearer token (Authorization: Bearer $ADMIN_TOKEN)');
    }
    return true;
  }
}
