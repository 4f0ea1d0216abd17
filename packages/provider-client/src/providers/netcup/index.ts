// PLACEHOLDER until the netcup provider lands; replaced by the real definition.
import type { ProviderDefinition } from '../../contract.js';

export const netcup: ProviderDefinition = {
  name: 'netcup',
  title: 'netcup',
  settings: {},
  propagation: { timeout: 600, interval: 5 },
  readConfig() {
    throw new Error('netcup: not implemented yet');
  },
  create() {
    throw new Error('netcup: not implemented yet');
  },
};
