/**
 * The operator key a server's first start creates, kept in `<dataDir>/operator-key` with mode 0600
 * (readable by the owner only), so the CLI beside that server can use it without the person copying
 * a secret around. The key is stored nowhere else in clear: the database holds only its hash.
 */
import fs from 'node:fs';
import path from 'node:path';

export const OPERATOR_KEY_FILE = 'operator-key';

/** Where a data directory keeps its first-start operator key. */
export function operatorKeyPath(dataDir: string): string {
  return path.join(path.resolve(dataDir), OPERATOR_KEY_FILE);
}

/** Writes the key (owner read/write only), replacing any earlier file atomically; returns the path. */
export function writeOperatorKey(dataDir: string, key: string): string {
  const file = operatorKeyPath(dataDir);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${key}\n`, { mode: 0o600 });
  // The mode of a new file is masked by the umask; say it again so no umask widens it.
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
  return file;
}

/** The stored key, or undefined when there is none (or it cannot be read by this user). */
export function readOperatorKey(dataDir: string): string | undefined {
  try {
    const key = fs.readFileSync(operatorKeyPath(dataDir), 'utf8').trim();
    return key === '' ? undefined : key;
  } catch {
    return undefined;
  }
}
