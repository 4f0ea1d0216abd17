// PLACEHOLDER until the mrdomain provider lands; replaced by the real definition.
import type { ProviderDefinition } from '../../contract.js';

export const mrdomain: ProviderDefinition = {
  name: 'mrdomain',
  title: 'mrdomain',
  settings: {},
  propagation: { timeout: 600, interval: 5 },
  readConfig() {
    throw new Error('mrdomain: not implemented yet');
  },
  create() {
    throw new Error('mrdomain: not implemented yet');
  },
};
