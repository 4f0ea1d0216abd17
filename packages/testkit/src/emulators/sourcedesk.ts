// PLACEHOLDER until the sourcedesk emulator lands.
export {};
