/** The time source of the domain. Injected everywhere so tests and the sandbox control time. */
export interface Clock {
  now(): Date;
}

/** The wall clock, for deployed code. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to; for tests and simulations. */
export class FakeClock implements Clock {
  private current: number;
  constructor(start: Date | string = "2026-11-26T09:00:00Z") {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  /** Moves time forward by `seconds`. */
  advance(seconds: number): void {
    this.current += seconds * 1000;
  }
  set(to: Date | string): void {
    this.current = new Date(to).getTime();
  }
}
