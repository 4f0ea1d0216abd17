// The provider kit: the algorithm every provider shares (kit/provider.ts),
// the wire interface a backend implements (kit/wire.ts), and the helpers
// every provider folder uses for its errors (kit/errors.ts).
export { createProvider } from './provider.js';
export { missingFrom } from './kit.js';
export { endpointSetting, secretSetting, textSetting } from './settings.js';
export { apiWords, codeTable, replyParser, type CodeMeaning, type CodeTable } from './errors.js';
export type { AddReply, RecordView, RemoveContext, RemoveResult, Target, Wire, ZoneLookup } from './wire.js';
