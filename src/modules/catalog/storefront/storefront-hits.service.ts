import { isStorefrontCached } from '@app/common';
import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { CatalogCache } from '../cache/catalog.cache';
import { sendCached } from './cached-response';

/**
 * Answers a storefront GET that this process has already answered, for exactly the same URL and the
 * catalog generation it holds now (a copy Redis invalidates: see CatalogCache), before Nest's
 * pipeline runs (guard, pipes, rate limit): a hit costs a map lookup — no Redis round trip, no
 * promise, a body already encoded — and so little more than a health probe. Only hits take this path — whatever
 * reaches the database still goes through Nest, its validation and its rate limit — and only
 * responses Nest produced (successful, validated) are ever repeated. Security, request-id and CORS
 * headers come from the hooks that ran before (this is a preHandler hook).
 */
@Injectable()
export class StorefrontHitsService {
  constructor(
    private readonly cache: CatalogCache,
    private readonly config: AppConfig,
  ) {}

  /**
   * Attached to the GET routes marked `@StorefrontCached()` only, as they are registered (call before
   * Nest's init): every other request — a health probe, a cart write — runs no hook of this.
   */
  install(fastify: FastifyInstance): void {
    // A callback hook, not an async one: a hit is answered in the same tick, with no promise.
    const repeatHit = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const hit = this.cache.hitFor(request.url);
      if (!hit) return done();
      void reply.send(sendCached(request, reply, hit, this.config.catalog.httpMaxAgeSeconds));
    };
    fastify.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (!methods.includes('GET') || !isStorefrontCached(route.config)) return;
      const existing = route.preHandler ? [route.preHandler].flat() : [];
      route.preHandler = [...existing, repeatHit];
    });
  }
}
