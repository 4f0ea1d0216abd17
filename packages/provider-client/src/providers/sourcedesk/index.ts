// PLACEHOLDER until the sourcedesk provider lands; replaced by the real definition.
import type { ProviderDefinition } from '../../contract.js';

export const sourcedesk: ProviderDefinition = {
  name: 'sourcedesk',
  title: 'sourcedesk',
  settings: {},
  propagation: { timeout: 600, interval: 5 },
  readConfig() {
    throw new Error('sourcedesk: not implemented yet');
  },
  create() {
    throw new Error('sourcedesk: not implemented yet');
  },
};
