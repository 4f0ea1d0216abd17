// PLACEHOLDER until the netcup emulator lands.
export {};
