import { Injectable } from '@nestjs/common';

/**
 * The API's drain before it stops accepting (SIGTERM, HTTP_DRAIN_DELAY_MS): readiness answers 503
 * so a load balancer takes the replica out, and each response closes its connection so a proxy's
 * kept-alive connections end on a finished response, never by the server closing an idle socket
 * that a request (a POST nginx may not resend) is just being written to.
 */
@Injectable()
export class HttpDrainService {
  private startedAt: number | undefined;

  get active(): boolean {
    return this.startedAt !== undefined;
  }

  /** Begins the drain and resolves once `delayMs` has passed: the caller then closes the server. */
  async drainFor(delayMs: number): Promise<void> {
    this.startedAt ??= Date.now();
    const remaining = this.startedAt + delayMs - Date.now();
    if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, remaining));
  }
}
