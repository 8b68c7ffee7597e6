import { REDIS_CLIENT, SecretBox, UnreadableSecretError } from '@app/common';
import { AppConfig } from '@app/config';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { MAIL_SECRET_CONTEXT, MailTemplate, SendMailPayload } from './mail.jobs';
import {
  isMailTemplate,
  MAIL_TEMPLATE_SECRETS,
  MailRenderInput,
  RenderedMail,
  renderMail,
} from './mail-templates';
import { MailTransportService } from './mail-transport.service';
import { UndeliverableMailError } from './mail.errors';

const SENT_MARKER_TTL_SECONDS = 7 * 24 * 3600;

export const mailSentMarkerKey = (jobId: string): string => `mail:sent:${jobId}`;

/**
 * One Message-ID per mail job, e.g. `<mail.outbox-42@storekeep.local>` (the sender's domain): SMTP
 * cannot refuse a repeat, so a mail sent again (a worker killed after the send, before its marker;
 * a marker lost with Redis) at least carries the same id, which mail stores and clients deduplicate.
 */
export function mailMessageId(jobId: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'storekeep.local';
  return `<mail.${jobId.replace(/[^A-Za-z0-9.-]/g, '-')}@${domain}>`;
}

/** Sends one transactional mail per `mail.send` job, at most once per job id. */
@Injectable()
export class MailService {
  private readonly logger = new Logger(MailService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly secretBox: SecretBox,
    private readonly transport: MailTransportService,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  /**
   * Bull delivers at least once: a job whose mail already went out (its marker exists) is skipped.
   * Throws UndeliverableMailError when retrying cannot help; other errors are worth a retry.
   */
  async deliver(payload: SendMailPayload, jobId: string): Promise<'sent' | 'already-sent'> {
    // Only what may be logged: never the secrets, the body or the full address.
    const context = {
      template: typeof payload?.template === 'string' ? payload.template : undefined,
      jobId,
      recipientDomain: recipientDomain(payload?.to),
    };
    const marker = mailSentMarkerKey(jobId);
    if ((await this.redis.exists(marker)) > 0) {
      this.logger.log(context, 'Mail already sent for this job; skipping');
      return 'already-sent';
    }

    let mail: RenderedMail;
    try {
      mail = this.render(payload);
    } catch (error) {
      if (error instanceof UndeliverableMailError) {
        this.logger.error({ ...context, reason: error.message }, 'Mail is undeliverable; discarding the job');
      }
      throw error;
    }

    try {
      await this.transport.send({
        to: payload.to,
        ...mail,
        messageId: mailMessageId(jobId, this.config.mail.from),
      });
    } catch (error) {
      // The SMTP reply text may quote the address: log the codes only. Bull retries the job.
      const { code, responseCode } = (error ?? {}) as { code?: string; responseCode?: number };
      this.logger.warn({ ...context, code, responseCode }, 'SMTP send failed; the job will be retried');
      throw error;
    }
    try {
      await this.redis.set(marker, new Date().toISOString(), 'EX', SENT_MARKER_TTL_SECONDS);
    } catch (error) {
      // The mail is out: failing the job now would only make Bull send it again.
      this.logger.warn(
        { ...context, reason: error instanceof Error ? error.message : 'unknown' },
        'Mail sent but its sent-marker could not be written; a redelivery would send it again',
      );
    }
    this.logger.log(context, 'Mail sent');
    return 'sent';
  }

  /** Validates the payload, opens its secrets and renders it; every failure here is permanent. */
  private render(payload: SendMailPayload): RenderedMail {
    if (!payload || typeof payload !== 'object')
      throw new UndeliverableMailError('the payload is not an object');
    const { template, to, data, sealedSecrets } = payload;
    if (!isMailTemplate(template)) throw new UndeliverableMailError(`unknown template "${String(template)}"`);
    if (typeof to !== 'string' || recipientDomain(to) === undefined) {
      throw new UndeliverableMailError('the recipient is not a single email address');
    }
    const secrets = this.openSecrets(template, sealedSecrets);
    try {
      return renderMail(template, {
        data,
        secrets: secrets as MailRenderInput<MailTemplate>['secrets'],
        publicAppUrl: this.config.auth.publicAppUrl,
        shop: { name: this.config.mail.shopName, address: this.config.mail.shopAddress },
      });
    } catch (error) {
      // Rendering is a pure function of the payload: if it throws once (e.g. missing data), it always will.
      throw new UndeliverableMailError(
        `template "${template}" cannot be rendered (${error instanceof Error ? error.name : 'error'})`,
      );
    }
  }

  private openSecrets(template: MailTemplate, sealed: unknown): Record<string, string> {
    const envelopes = (sealed && typeof sealed === 'object' ? sealed : {}) as Record<string, unknown>;
    const secrets: Record<string, string> = {};
    for (const name of MAIL_TEMPLATE_SECRETS[template] as readonly string[]) {
      const envelope = envelopes[name];
      if (typeof envelope !== 'string') throw new UndeliverableMailError(`secret "${name}" is missing`);
      try {
        secrets[name] = this.secretBox.open(envelope, MAIL_SECRET_CONTEXT);
      } catch (error) {
        if (error instanceof UnreadableSecretError) {
          throw new UndeliverableMailError(`secret "${name}" is unreadable (${error.message})`);
        }
        throw error;
      }
    }
    return secrets;
  }
}

/**
 * The domain of a bare address (`local@domain`), lower-cased; undefined for anything else, so a
 * payload cannot smuggle in a display name or a second recipient.
 */
function recipientDomain(to: unknown): string | undefined {
  if (typeof to !== 'string') return undefined;
  const match = /^[^\s@,;<>"]+@([^\s@,;<>"]+)$/.exec(to);
  return match ? match[1].toLowerCase() : undefined;
}
