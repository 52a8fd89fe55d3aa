/** The NETCONF driver's settings from CLI options: device inventory file and logins (never printed). */
import { LightpathError } from '../domain/errors.js';
import { CredentialsError, loadCredentials, readDeviceFile } from '../services/southbound/directory.js';
import type { SouthboundOptions } from '../services/southbound/index.js';

/** Device inventory (`--devices FILE`, else the store's) and logins (environment or `--device-secrets FILE`). */
export function netconfOptions(o: { devices?: string; deviceSecrets?: string }): SouthboundOptions {
  try {
    const credentials = loadCredentials(process.env, o.deviceSecrets);
    if (!credentials.default && !Object.keys(credentials.sites ?? {}).length) throw new CredentialsError('the netconf driver needs device logins: LIGHTPATH_DEVICES_PASSWORD (and LIGHTPATH_DEVICES_USERNAME), or --device-secrets FILE');
    return { credentials, ...(o.devices ? { devices: readDeviceFile(o.devices) } : {}) };
  } catch (err) {
    if (err instanceof CredentialsError) throw new LightpathError('validation-failed', err.message);
    throw err;
  }
}
