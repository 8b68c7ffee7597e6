import { getQueueToken } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bull';

/** Finds a registered Bull queue by name (the outbox names its queue as a string). */
@Injectable()
export class QueueRegistry {
  private readonly cache = new Map<string, Queue | null>();

  constructor(private readonly moduleRef: ModuleRef) {}

  get(name: string): Queue | undefined {
    if (!this.cache.has(name)) this.cache.set(name, this.resolve(name));
    return this.cache.get(name) ?? undefined;
  }

  private resolve(name: string): Queue | null {
    try {
      return this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
    } catch {
      return null; // not registered in this process
    }
  }
}
