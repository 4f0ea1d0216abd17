/** dns-persist-01: the persistent authorization record at `_validation-persist.<domain>`. */
export * from './record.js';
export * from './caa.js';
export * from './operations.js';
export * from './account-file.js';
