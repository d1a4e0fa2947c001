/**
 * Runs async tasks one at a time, in the order they were queued: a mutex for the state of one
 * model (its KV caches), so that concurrent generations and steps never interleave. Calling it
 * with `task` runs `task` after every task queued before it has settled, and resolves or rejects
 * as `task` does.
 */
export type SerialQueue = <T>(task: () => Promise<T> | T) => Promise<T>;

/** A new, empty {@link SerialQueue}. A failed task does not stop the tasks queued after it. */
export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T> | T): Promise<T> => {
    const result = tail.then(task);
    tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  };
}
