// PLACEHOLDER until the xsserver emulator lands.
export {};
