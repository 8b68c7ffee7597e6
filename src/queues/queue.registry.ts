import { getQueueToken } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bull';

/** The names of the queues this process registers: the composition root (src/bootstrap) owns the list. */
export const REGISTERED_QUEUE_NAMES = Symbol('REGISTERED_QUEUE_NAMES');

/** Finds a registered Bull queue by name (the outbox names its queue as a string). */
@Injectable()
export class QueueRegistry {
  private readonly cache = new Map<string, Queue | null>();

  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(REGISTERED_QUEUE_NAMES) readonly names: readonly string[],
  ) {}

  get(name: string): Queue | undefined {
    if (!this.cache.has(name)) this.cache.set(name, this.resolve(name));
    return this.cache.get(name) ?? undefined;
  }

  /** Every registered queue this process can reach. */
  all(): Queue[] {
    return this.names.map((name) => this.get(name)).filter((queue) => queue !== undefined);
  }

  private resolve(name: string): Queue | null {
    try {
      return this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
    } catch {
      return null; // not registered in this process
    }
  }
}
