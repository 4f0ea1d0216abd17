import type { EmulatorServer } from '../http-server.js';
import type { ZoneStore } from '../zone-store.js';

/** What every emulator handle offers. */
export interface EmulatorHandle {
  server: EmulatorServer;
  close(): Promise<void>;
}

/**
 * How the test world runs one provider's emulator: fixed, recognisable, never
 * real credentials (as the product's variables), the values among them that
 * are secret, and a start that returns the emulator and the variables that
 * point the product at it (and, where the options change which credentials
 * apply, those instead of `credentials`). Each emulator file exports one
 * (`<name>Wiring`).
 */
export interface EmulatorWiring<E extends EmulatorHandle = EmulatorHandle, O extends object = object> {
  credentials: Record<string, string>;
  secrets: string[];
  start(
    store: ZoneStore,
    zones: string[],
    options: O,
    /** The world's DNS variables (DNS01_RESOLVERS, DNS01_NS_PORT), for an emulator that looks names up itself (the gateway's). */
    dnsEnv?: Record<string, string>,
  ): Promise<{ emulator: E; env: Record<string, string>; credentials?: Record<string, string> }>;
}

export function defineWiring<E extends EmulatorHandle, O extends object>(wiring: EmulatorWiring<E, O>): EmulatorWiring<E, O> {
  return wiring;
}
