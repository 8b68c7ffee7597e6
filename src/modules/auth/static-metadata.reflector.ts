import type { Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

/**
 * A Reflector that reads each (key, handler or class) once and then answers from memory: route
 * metadata is fixed once the classes are defined. @nestjs/throttler's guard asks the reflector
 * eleven times per request (skip, limit, ttl, block duration, tracker and key generator for each
 * of our two throttlers), and reflect-metadata walks the prototype chain on every ask.
 */
export class StaticMetadataReflector extends Reflector {
  private readonly read = new Map<unknown, WeakMap<object, unknown>>();

  override get<TResult = unknown, TKey = unknown>(
    metadataKey: TKey,
    target: Type<unknown> | Function,
  ): TResult {
    let byTarget = this.read.get(metadataKey);
    if (!byTarget) this.read.set(metadataKey, (byTarget = new WeakMap()));
    if (byTarget.has(target)) return byTarget.get(target) as TResult;
    const value = super.get<TResult, TKey>(metadataKey, target);
    byTarget.set(target, value);
    return value;
  }
}
