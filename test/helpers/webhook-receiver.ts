import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Receipt {
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The status this receiver answered. */
  status: number;
}

export interface Receiver {
  url: string;
  receipts: Receipt[];
  /** Decides the answer to the n-th request (0-based); 204 by default. */
  respond: (n: number, body: string) => number;
  close(): Promise<void>;
}

/** A webhook receiver on a loopback port that records every request. */
export async function startReceiver(respond: (n: number, body: string) => number = () => 204): Promise<Receiver> {
  const receipts: Receipt[] = [];
  const r = { respond } as Receiver;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const status = r.respond(receipts.length, body);
      receipts.push({ headers: req.headers, body, status });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  r.url = `http://127.0.0.1:${port}/hooks`;
  r.receipts = receipts;
  r.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return r;
}
