/**
 * The emulator's clock. Virtual time runs at `speed` × real time (0 freezes it) and can be
 * pushed forward with `advance(ms)`. Every state change in the SPCS model is scheduled on
 * this clock, so tests either advance it explicitly or run it fast.
 */
export interface EmulatorClock {
  /** Current virtual time, epoch milliseconds. */
  now(): number;
  /** Moves virtual time forward and runs everything that became due. */
  advance(ms: number): void;
  /** Virtual milliseconds per real millisecond. 0 = frozen (only `advance` moves time). */
  readonly speed: number;
  setSpeed(speed: number): void;
}

export class VirtualClock implements EmulatorClock {
  private anchorReal: number;
  private anchorVirtual: number;
  private currentSpeed: number;
  private lastReported: number;
  private readonly listeners: Array<() => void> = [];

  constructor(
    start: number,
    speed: number,
    private readonly realNow: () => number = Date.now,
  ) {
    if (!(speed >= 0)) throw new Error(`clock speed must be >= 0, got ${speed}`);
    this.anchorReal = this.realNow();
    this.anchorVirtual = start;
    this.currentSpeed = speed;
    this.lastReported = start;
  }

  now(): number {
    const t = this.anchorVirtual + (this.realNow() - this.anchorReal) * this.currentSpeed;
    // Never run backwards, even if the real clock does.
    this.lastReported = Math.max(this.lastReported, Math.floor(t));
    return this.lastReported;
  }

  get speed(): number {
    return this.currentSpeed;
  }

  setSpeed(speed: number): void {
    if (!(speed >= 0)) throw new Error(`clock speed must be >= 0, got ${speed}`);
    this.anchorVirtual = this.now();
    this.anchorReal = this.realNow();
    this.currentSpeed = speed;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`clock.advance needs a non-negative number, got ${ms}`);
    this.anchorVirtual = this.now() + ms;
    this.anchorReal = this.realNow();
    this.lastReported = this.anchorVirtual;
    for (const l of this.listeners) l();
  }

  /** Called after every `advance`, so the model can run what became due. */
  onAdvance(listener: () => void): void {
    this.listeners.push(listener);
  }
}
