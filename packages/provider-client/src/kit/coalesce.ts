interface Batch<T, R> {
  items: T[];
  settle: { resolve: (result: R) => void; reject: (error: unknown) => void }[];
}

/**
 * Collects the calls made for one key within the same tick into one batch,
 * so that many challenges for one zone become one API call. `run` answers
 * each item of a batch, in order; when it throws, every item gets the error.
 */
export function coalesce<T, R>(run: (key: string, items: T[]) => Promise<R[]>): (key: string, item: T) => Promise<R> {
  const open = new Map<string, Batch<T, R>>();
  return (key, item) =>
    new Promise<R>((resolve, reject) => {
      let batch = open.get(key);
      if (!batch) {
        const fresh: Batch<T, R> = { items: [], settle: [] };
        open.set(key, fresh);
        setImmediate(() => {
          open.delete(key);
          run(key, fresh.items).then(
            (results) => fresh.settle.forEach((s, i) => s.resolve(results[i]!)),
            (error: unknown) => fresh.settle.forEach((s) => s.reject(error)),
          );
        });
        batch = fresh;
      }
      batch.items.push(item);
      batch.settle.push({ resolve, reject });
    });
}
