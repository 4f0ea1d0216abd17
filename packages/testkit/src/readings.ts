/**
 * One named reading of a provider's document that its emulator can play
 * (`readings` option), for tests that run once under each; `label` goes into
 * the test name. Each emulator exports its list (`<PROVIDER>_READINGS`).
 */
export interface ReadingCase<R> {
  label: string;
  readings: R;
}
