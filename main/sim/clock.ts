// A clock tests can move by hand, so token TTLs (30 min / 24 h) and IP blocks can be crossed instantly.
export class ManualClock {
  private t: number;

  constructor(startMs: number = Date.UTC(2026, 0, 1, 9, 0, 0)) {
    this.t = startMs;
  }

  /** Arrow property so `now: clock.now` can be passed around unbound. */
  readonly now = (): number => this.t;

  advance(ms: number): void {
    this.t += ms;
  }

  set(ms: number): void {
    this.t = ms;
  }
}
