// PLACEHOLDER until the test DNS server lands.
export {};
