/**
 * Resolves once `holds()` is true, asking every `intervalMs`: what a test
 * waits for instead of a sleep that races the work. No deadline of its own:
 * the test's timeout bounds the wait. Where the state lives in a ZoneStore,
 * `store.until()` sees every change instead of sampling.
 */
export async function until(holds: () => boolean, intervalMs = 10): Promise<void> {
  while (!holds()) await new Promise((resolve) => setTimeout(resolve, intervalMs));
}
