import { httpUrl, nonEmpty, secretText, setting, type VarSpec } from '../config.js';

/** A required setting of one variable, never empty (a user name, a customer number); `schema` narrows it further. */
export const textSetting = (name: string, description: string, schema = nonEmpty): VarSpec<string> => setting({ names: [name], schema, description });

/** A required secret of one variable: byte-exact, registered for redaction when read and when the provider is created. */
export const secretSetting = (name: string, description: string): VarSpec<string> => setting({ names: [name], schema: secretText, secret: true, description });

/** The API's base URL, `https://` or `http://`, the provider's own by default (tests, proxies and the demo change it). */
export const endpointSetting = (name: string, url: string, description: string): VarSpec<string> =>
  setting({ names: [name], schema: httpUrl, default: url, description });
