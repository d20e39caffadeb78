import type { Logger } from 'pino';

/** What the breaker reports as it opens and closes (metrics hook). */
export interface HealthEvents {
  down?(): void;
  up?(downForMs: number): void;
}

/**
 * A circuit breaker over the source region. After `threshold` requests in a row got no answer (refused, reset,
 * timed out) the source is taken for down: the gateway stops sending it requests, so a dead source costs no
 * request a timeout, and a probe asks it every `probeMs` until it answers; then requests go to it again.
 */
export class SourceHealth {
  private failures = 0;
  private downSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private closed = false;

  constructor(
    private readonly threshold: number,
    private readonly probeMs: number,
    private readonly probe: (signal: AbortSignal) => Promise<void>,
    private readonly log: Logger,
    private readonly events: HealthEvents = {},
  ) {}

  /** True while the source is known not to answer. */
  get down(): boolean {
    return this.downSince !== undefined;
  }

  /** When the source was taken for down (ms since the epoch), while it is. */
  get since(): number | undefined {
    return this.downSince;
  }

  /** The source answered a request (any S3 answer, an error document included). */
  answered(): void {
    this.failures = 0;
    if (this.downSince !== undefined) this.recover();
  }

  /** A request to the source got no answer at all. */
  unanswered(reason: string): void {
    this.failures++;
    if (this.downSince !== undefined || this.failures < this.threshold || this.closed) return;
    this.downSince = Date.now();
    this.log.warn({ failures: this.failures, reason }, 'source region is not answering; probing it');
    this.events.down?.();
    this.timer = setInterval(() => void this.probeOnce(), this.probeMs);
    this.timer.unref();
  }

  private async probeOnce(): Promise<void> {
    if (this.probing || this.downSince === undefined) return;
    this.probing = true;
    try {
      await this.probe(AbortSignal.timeout(Math.max(this.probeMs, 1_000)));
      this.answered();
    } catch {
      // Still down: the next probe asks again.
    } finally {
      this.probing = false;
    }
  }

  private recover(): void {
    const downFor = Date.now() - (this.downSince ?? Date.now());
    this.downSince = undefined;
    clearInterval(this.timer);
    this.log.info({ downForMs: downFor }, 'source region answers again');
    this.events.up?.(downFor);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }
}
