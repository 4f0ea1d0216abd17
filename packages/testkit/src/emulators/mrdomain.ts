// PLACEHOLDER until the mrdomain emulator lands.
export {};
