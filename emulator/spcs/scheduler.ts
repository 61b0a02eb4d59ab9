/**
 * A virtual-time event queue. Nothing runs on real timers: `runDue(now)` executes, in time
 * order, every event whose time has come. Handlers receive their own scheduled time so that
 * timestamps (log lines, status changes) are exact even when events are processed late.
 */
interface ScheduledEvent {
  at: number;
  seq: number;
  label: string;
  run: (at: number) => void;
}

export class Scheduler {
  private events: ScheduledEvent[] = [];
  private seq = 0;
  private running = false;

  at(time: number, label: string, run: (at: number) => void): void {
    const ev = { at: time, seq: this.seq++, label, run };
    // Binary insertion keeps the queue sorted by (at, seq).
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.events[mid];
      if (m && (m.at < ev.at || (m.at === ev.at && m.seq < ev.seq))) lo = mid + 1;
      else hi = mid;
    }
    this.events.splice(lo, 0, ev);
  }

  /** Runs every event due at or before `now`, including ones scheduled by handlers. */
  runDue(now: number): void {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        const first = this.events[0];
        if (!first || first.at > now) break;
        this.events.shift();
        first.run(first.at);
      }
    } finally {
      this.running = false;
    }
  }

  /** Time of the next pending event, if any. */
  nextAt(): number | undefined {
    return this.events[0]?.at;
  }

  pending(): Array<{ at: number; label: string }> {
    return this.events.map((e) => ({ at: e.at, label: e.label }));
  }
}
