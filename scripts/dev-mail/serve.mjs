// Runs the dev mail inbox alone (`npm start` runs it for you outside production):
//   node scripts/dev-mail/serve.mjs
// SMTP on 127.0.0.1:$SMTP_PORT (1025), the web inbox on http://localhost:$MAIL_INBOX_PORT (8025).
// Its /verify-email and /reset-password pages post to the API at http://127.0.0.1:$PORT (3000).
// Stops on SIGINT, SIGTERM or SIGHUP.
import process from 'node:process';
import { INBOX_DEFAULTS, startMailInbox } from './inbox.mjs';

const port = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);

try {
  const inbox = await startMailInbox({
    smtpPort: port('SMTP_PORT', INBOX_DEFAULTS.smtpPort),
    webPort: port('MAIL_INBOX_PORT', INBOX_DEFAULTS.webPort),
    limit: port('MAIL_INBOX_LIMIT', INBOX_DEFAULTS.limit),
    apiUrl: `http://127.0.0.1:${port('PORT', 3000)}`,
  });
  if (inbox.webPortFallback) console.log(`[mail] port ${process.env.MAIL_INBOX_PORT ?? 8025} is in use`);
  console.log(`[mail] dev inbox ${inbox.url} (SMTP 127.0.0.1:${inbox.smtpPort})`);
  const stop = () => inbox.close().then(() => process.exit(0));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, stop);
} catch (error) {
  console.error(
    error.code === 'EADDRINUSE'
      ? `[mail] 127.0.0.1:${error.port} is already in use (another mail catcher?): not starting`
      : `[mail] ${error.message}`,
  );
  process.exit(1);
}
