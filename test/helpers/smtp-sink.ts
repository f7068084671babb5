import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** How the test SMTP server answers: take mail, refuse for now (451), or refuse for good (550). */
type SmtpMode = 'accept' | 'tempfail' | 'permfail';

interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  messageId: string;
  references: string[];
  headers: ParsedMail['headers'];
  raw: string;
}

export interface SmtpSink {
  url: string;
  mails: ReceivedMail[];
  mode: SmtpMode;
  close(): Promise<void>;
}

/** A real SMTP server on a free loopback port, keeping what it accepts (parsed with mailparser). */
export async function startSmtpSink(): Promise<SmtpSink> {
  const sink = { mails: [] as ReceivedMail[], mode: 'accept' as SmtpMode };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (sink.mode === 'accept') return callback();
      const err = Object.assign(new Error(sink.mode === 'tempfail' ? 'try again later' : 'no such mailbox'), {
        responseCode: sink.mode === 'tempfail' ? 451 : 550,
      });
      return callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((m) => {
            const refs = m.references === undefined ? [] : Array.isArray(m.references) ? m.references : [m.references];
            for (const rcpt of session.envelope.rcptTo) {
              sink.mails.push({
                to: rcpt.address,
                subject: m.subject ?? '',
                text: m.text ?? '',
                messageId: m.messageId ?? '',
                references: refs,
                headers: m.headers,
                raw: raw.toString('utf8'),
              });
            }
            callback();
          })
          .catch((err: Error) => callback(err));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return Object.assign(sink, {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
