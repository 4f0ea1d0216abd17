import type { EmulatorServer } from '../http-server.js';
import type { ZoneStore } from '../zone-store.js';

/** What every emulator handle offers. */
export interface EmulatorHandle {
  server: EmulatorServer;
  close(): Promise<void>;
}

/** A started emulator, and what points the product at it. */
export interface StartedEmulator<E extends EmulatorHandle = EmulatorHandle> {
  emulator: E;
  /** The variables that point the product at the emulator (its endpoints). */
  env: Record<string, string>;
  /** The credentials the emulator accepts, as the product's variables. */
  credentials: Record<string, string>;
  /** The credential values that are secret: tests search output for them. */
  secrets: string[];
}

/**
 * The options of a wiring's start: the emulator's own options but the
 * store and zones (the test world's), with the credentials optional: fixed,
 * recognisable, never real test credentials unless a test gives its own
 * (a key with characters that need encoding, say).
 */
export type WiringOptions<O extends { store: ZoneStore; zones: string[]; credentials: object }> = Omit<O, 'store' | 'zones' | 'credentials'> & {
  credentials?: O['credentials'];
};

/**
 * How the test world and the provider rig run one provider's emulator: its
 * fixed test credentials as the product's variables and the secret values
 * among them (what a world uses unless a test gives its own), and a start
 * that returns the emulator, the variables that point the product at it, and
 * the credentials and secrets that apply. Each emulator file exports one
 * (`<name>Wiring`).
 */
export interface EmulatorWiring<E extends EmulatorHandle = EmulatorHandle, O extends object = object> {
  readonly credentials: Record<string, string>;
  readonly secrets: string[];
  start(
    store: ZoneStore,
    zones: string[],
    options: O,
    /** The world's DNS variables (DNS01_RESOLVERS, DNS01_NS_PORT), for an emulator that looks names up itself (the gateway's). */
    dnsEnv?: Record<string, string>,
  ): Promise<StartedEmulator<E>>;
}

export function defineWiring<E extends EmulatorHandle, O extends object>(wiring: EmulatorWiring<E, O>): EmulatorWiring<E, O> {
  return wiring;
}

/**
 * The wiring of an emulator whose credentials are one object: from the test
 * credentials, or a test's own (`options.credentials`), follow the variables
 * and the secrets; `start` starts the emulator with them and names its endpoint.
 */
export function credentialWiring<E extends EmulatorHandle, C extends object, O extends { store: ZoneStore; zones: string[]; credentials: C }>(spec: {
  testCredentials: C;
  variables(credentials: C): Record<string, string>;
  secrets(credentials: C): string[];
  start(options: O): Promise<{ emulator: E; env: Record<string, string> }>;
}): EmulatorWiring<E, WiringOptions<O>> {
  return {
    credentials: spec.variables(spec.testCredentials),
    secrets: spec.secrets(spec.testCredentials),
    async start(store, zones, { credentials = spec.testCredentials, ...options }) {
      const started = await spec.start({ ...options, store, zones, credentials } as unknown as O);
      return { ...started, credentials: spec.variables(credentials), secrets: spec.secrets(credentials) };
    },
  };
}
