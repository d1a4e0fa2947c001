import { median } from '@weft/zoo';

/** Median wall time of `run` over `repeats` runs, after one warm-up run, in milliseconds. */
export async function medianMs(repeats: number, run: () => Promise<unknown>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let index = 0; index < repeats; index++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return median(times);
}
