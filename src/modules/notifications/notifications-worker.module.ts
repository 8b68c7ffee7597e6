import { SecretBox } from '@app/common';
import { Module } from '@nestjs/common';
import { EventsProcessor } from './jobs/events.processor';
import { MailProcessor } from './jobs/mail.processor';
import { MailTransportService } from './mail/mail-transport.service';
import { MailService } from './mail/mail.service';

/** Transactional email: consumes the mail queue and sends over SMTP. Imported only by the worker. */
@Module({
  providers: [SecretBox, MailTransportService, MailService, MailProcessor, EventsProcessor],
})
export class NotificationsWorkerModule {}
