// Reads one raw mail on stdin and posts it to the service (POST /v1/inbound-mail), for a mail
// server to pipe received mail into, as RT's rt-mailgate does. Exit codes follow sysexits.h, which
// mail servers read: 0 delivered, 75 (EX_TEMPFAIL) try again later (5xx, 429, network, timeout),
// 77 (EX_NOPERM) the token is refused, 65 (EX_DATAERR) the message is refused; 78 (EX_CONFIG)
// no token. Usage (e.g. a Postfix alias):
//   saksflyt: "|MAILGATE_TOKEN=… MAILGATE_URL=https://saksflyt.example/v1/inbound-mail npm run --silent mailgate"
// Environment: MAILGATE_URL (default http://127.0.0.1:3000/v1/inbound-mail), MAILGATE_TOKEN (a
// bearer token of an integration with scope mail:inbound), MAILGATE_TIMEOUT_MS (default 60000).

const EX_OK = 0;
const EX_DATAERR = 65;
const EX_TEMPFAIL = 75;
const EX_NOPERM = 77;
const EX_CONFIG = 78;

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function exitCodeOf(status: number): number {
  if (status >= 200 && status < 300) return EX_OK;
  if (status >= 500 || status === 429 || status === 408) return EX_TEMPFAIL;
  if (status === 401 || status === 403) return EX_NOPERM;
  return EX_DATAERR;
}

async function main(): Promise<number> {
  const url = process.env.MAILGATE_URL || 'http://127.0.0.1:3000/v1/inbound-mail';
  const token = process.env.MAILGATE_TOKEN;
  const timeoutMs = Number(process.env.MAILGATE_TIMEOUT_MS || 60000);
  if (!token) {
    process.stderr.write('mailgate: MAILGATE_TOKEN is not set\n');
    return EX_CONFIG;
  }
  const message = await readStdin();
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'message/rfc822' },
      body: message,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    const code = exitCodeOf(res.status);
    (code === EX_OK ? process.stdout : process.stderr).write(`mailgate: ${res.status} ${text}\n`);
    return code;
  } catch (err) {
    process.stderr.write(`mailgate: ${url} not reached (${err instanceof Error ? err.message : String(err)}); try again later\n`);
    return EX_TEMPFAIL;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`mailgate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(EX_TEMPFAIL);
  },
);
