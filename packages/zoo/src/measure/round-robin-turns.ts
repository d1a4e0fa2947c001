/**
 * Hands out turns to contenders that run side by side (each in a loop of its own) so that exactly
 * one runs at a time, in rounds whose order rotates: round r goes r mod n, r+1 mod n, … A
 * contender that has left (finished or failed) is skipped; one that is still in play but not yet
 * asking is waited for, so that the order holds.
 */
export class RoundRobinTurns {
  private readonly inPlay: Set<number>;
  private readonly waiting = new Map<number, () => void>();
  private round = 0;
  private step = 0;
  private busy = false;

  constructor(private readonly count: number) {
    this.inPlay = new Set(Array.from({ length: count }, (_, index) => index));
  }

  /** Resolves when it is `contender`'s turn; {@link pass} ends the turn. */
  take(contender: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.set(contender, resolve);
      this.grant();
    });
  }

  /** Ends `contender`'s turn: the next in the round's order goes. */
  pass(_contender: number): void {
    this.busy = false;
    this.advance();
    this.grant();
  }

  /** `contender` runs no more: it is skipped from now on. */
  leave(contender: number): void {
    this.inPlay.delete(contender);
    this.grant();
  }

  /** The contender whose turn it is: the round's order starts at `round mod count`. */
  private current(): number {
    return (this.round + this.step) % this.count;
  }

  private advance(): void {
    this.step++;
    if (this.step === this.count) {
      this.step = 0;
      this.round++;
    }
  }

  private grant(): void {
    if (this.busy) return;
    for (let skipped = 0; this.inPlay.size > 0 && skipped <= this.count; skipped++) {
      const contender = this.current();
      if (this.inPlay.has(contender)) {
        const resolve = this.waiting.get(contender);
        // Still in play but between two of its runs: wait for it to ask.
        if (resolve === undefined) return;
        this.waiting.delete(contender);
        this.busy = true;
        resolve();
        return;
      }
      this.advance();
    }
  }
}
