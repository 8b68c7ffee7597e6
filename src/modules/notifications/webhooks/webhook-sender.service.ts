import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { WebhookAttemptOutcome } from './entities/webhook-attempt.entity';
import { resolveSafeTarget, SsrfRefusedError, type ResolvedTarget } from './ssrf-guard';
import { webhookHeaders } from './webhook-signature';

export interface AttemptResult {
  outcome: WebhookAttemptOutcome;
  statusCode: number | null;
  durationMs: number;
  responseBody: string | null;
  error: string | null;
}

/** A lookup that answers with the address the guard checked: the connection cannot go anywhere else. */
function pinnedLookup(target: ResolvedTarget): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}

/**
 * One HTTP attempt of a delivery: checks the URL with the SSRF guard, connects to the checked
 * address (the URL's host stays the Host header and TLS server name), follows no redirect, reads at
 * most the configured bytes of the answer, and gives up after the timeout.
 */
@Injectable()
export class WebhookSenderService {
  constructor(private readonly config: AppConfig) {}

  async send(url: string, id: string, body: string, secrets: readonly string[]): Promise<AttemptResult> {
    const started = Date.now();
    const elapsed = () => Date.now() - started;
    let target: ResolvedTarget;
    try {
      target = await resolveSafeTarget(url, this.config.webhooks);
    } catch (error) {
      if (!(error instanceof SsrfRefusedError)) throw error;
      return {
        outcome: 'refused',
        statusCode: null,
        durationMs: elapsed(),
        responseBody: null,
        error: error.message,
      };
    }
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'Storekeep-Webhooks/1',
      ...webhookHeaders(secrets, id, Math.floor(Date.now() / 1000), body),
    };
    try {
      const { statusCode, responseBody, location } = await this.post(target, headers, body);
      const durationMs = elapsed();
      if (statusCode >= 200 && statusCode < 300)
        return { outcome: 'delivered', statusCode, durationMs, responseBody, error: null };
      if (statusCode === 410)
        return {
          outcome: 'gone',
          statusCode,
          durationMs,
          responseBody,
          error: 'the receiver answered 410 Gone',
        };
      const error =
        statusCode >= 300 && statusCode < 400
          ? `redirect not followed${location ? ` (Location: ${location.slice(0, 300)})` : ''}`
          : `the receiver answered ${statusCode}`;
      return { outcome: 'failed', statusCode, durationMs, responseBody, error };
    } catch (error) {
      return {
        outcome: 'failed',
        statusCode: null,
        durationMs: elapsed(),
        responseBody: null,
        error: (error instanceof Error ? error.message : String(error)).slice(0, 500),
      };
    }
  }

  private post(
    target: ResolvedTarget,
    headers: Record<string, string>,
    body: string,
  ): Promise<{ statusCode: number; responseBody: string; location: string | undefined }> {
    const { timeoutMs, responseBodyLimitBytes } = this.config.webhooks;
    const { url } = target;
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(url, { method: 'POST', headers, lookup: pinnedLookup(target), agent: false });
      const timer = setTimeout(() => req.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      const finish = (work: () => void) => {
        clearTimeout(timer);
        work();
      };
      req.on('error', (error) => finish(() => reject(error)));
      req.on('response', (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () =>
          finish(() => {
            resolve({
              statusCode: response.statusCode ?? 0,
              responseBody: Buffer.concat(chunks).subarray(0, responseBodyLimitBytes).toString('utf8'),
              location: response.headers.location,
            });
            req.destroy();
          });
        response.on('data', (chunk: Buffer) => {
          if (size >= responseBodyLimitBytes) return;
          chunks.push(chunk);
          size += chunk.length;
          // Enough read: the rest of the answer is not wanted (a receiver cannot make us read megabytes).
          if (size >= responseBodyLimitBytes) done();
        });
        response.on('end', done);
        response.on('error', (error) => finish(() => reject(error)));
      });
      req.end(body);
    });
  }
}
