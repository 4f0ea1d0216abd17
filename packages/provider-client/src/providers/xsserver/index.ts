// PLACEHOLDER until the xsserver provider lands; replaced by the real definition.
import type { ProviderDefinition } from '../../contract.js';

export const xsserver: ProviderDefinition = {
  name: 'xsserver',
  title: 'xsserver',
  settings: {},
  propagation: { timeout: 600, interval: 5 },
  readConfig() {
    throw new Error('xsserver: not implemented yet');
  },
  create() {
    throw new Error('xsserver: not implemented yet');
  },
};
