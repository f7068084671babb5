import { Writable } from 'node:stream';

/** A logger destination for tests: pushes every line the logger writes onto `lines`, in order. */
export function logSink(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
}

/** Each logged JSON line as its message, followed by its error's message when it has one. */
export function logMessages(lines: readonly string[]): string[] {
  return lines.map((l) => {
    const o = JSON.parse(l) as { msg: string; err?: { message?: string } };
    return o.err?.message ? `${o.msg}: ${o.err.message}` : o.msg;
  });
}
