/** The progress line of `floe produce` on stderr: records/s and MiB/s, redrawn in place, shown only for inputs that take a while. */

/**
 * What `floe produce` draws. Typing at a terminal: a ">" prompt, as kafka-console-producer
 * shows, and no progress line (it would be drawn where the user types). Piped or redirected
 * input: the progress line, if stderr is a terminal to draw it on.
 */
export function produceDisplay(tty: { stdin: boolean; stderr: boolean }, quiet: boolean): { prompt: boolean; progress: boolean } {
  return { prompt: tty.stdin, progress: !quiet && !tty.stdin && tty.stderr };
}

const MiB = 1024 * 1024;

export interface ProgressOptions {
  /** draw nothing (--quiet, or output that is not a terminal) */
  enabled: boolean;
  /** first draw after this long, so small inputs stay silent */
  delayMs?: number;
  intervalMs?: number;
  write?: (text: string) => void;
}

export class ProgressLine {
  private records = 0;
  private bytes = 0;
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;
  private readonly write: (text: string) => void;

  constructor(private readonly options: ProgressOptions) {
    this.write = options.write ?? ((text) => process.stderr.write(text));
    if (!options.enabled) return;
    const interval = options.intervalMs ?? 500;
    this.timer = setTimeout(() => {
      this.draw();
      this.timer = setInterval(() => this.draw(), interval).unref();
    }, options.delayMs ?? 1000).unref();
  }

  /** Counts acknowledged records and their key + value bytes. */
  acknowledged(bytes: number): void {
    this.records++;
    this.bytes += bytes;
  }

  /** Stops redrawing; leaves a final summary if a line was drawn. */
  finish(): void {
    clearTimeout(this.timer);
    clearInterval(this.timer);
    if (this.drawn) this.write(`${this.text()}\n`);
  }

  private text(): string {
    const seconds = Math.max((Date.now() - this.started) / 1000, 0.001);
    const rate = Math.round(this.records / seconds);
    return `\r${this.records} records, ${rate} records/s, ${(this.bytes / MiB / seconds).toFixed(2)} MiB/s   `;
  }

  private draw(): void {
    this.drawn = true;
    this.write(this.text());
  }
}
