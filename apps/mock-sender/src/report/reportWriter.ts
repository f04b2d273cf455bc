// `--report FILE`: one JSON line per delivery as soon as its fate is final, written as we go (with
// back-pressure) so a long run never buffers its results.
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { SenderConfigError } from '../errors.js';

export interface ReportLine {
  id: string;
  type: string;
  /** Final HTTP status, or 'timeout' / 'connection_error' / 'endpoint_gone'. */
  status: number | string;
  /** What a 2xx answer's `status` field said: accepted, quarantined, duplicate, … or none. */
  answer?: string;
  attempts: number;
  delivered: boolean;
}

export class ReportWriter {
  private constructor(private readonly stream: WriteStream) {}

  /** Opens (truncates) the report file; an unwritable path is a config error before anything is sent. */
  static async open(path: string): Promise<ReportWriter> {
    const stream = createWriteStream(path, { flags: 'w' });
    try {
      await once(stream, 'open');
    } catch (cause) {
      throw new SenderConfigError(
        'invalid_option',
        `cannot write the report file ${path}: ${(cause as Error).message}; pass a writable path to --report`,
        undefined,
        { cause },
      );
    }
    return new ReportWriter(stream);
  }

  async write(line: ReportLine): Promise<void> {
    if (!this.stream.write(`${JSON.stringify(line)}\n`)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
  }
}
