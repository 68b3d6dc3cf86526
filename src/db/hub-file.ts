import fs from 'node:fs';
import path from 'node:path';
import { lockHolder } from './embedded';

/** `<DATA_DIR>/hub.json`: how to reach a running hub's embedded database (mode 0600: it holds a password). */
export interface HubFile {
  pid: number;
  databaseUrl: string;
  graphqlUrl: string;
  startedAt: string;
}

const fileOf = (dataDir: string) => path.join(dataDir, 'hub.json');

export function writeHubFile(dataDir: string, info: HubFile): void {
  const tmp = `${fileOf(dataDir)}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(info, null, 2), { mode: 0o600 });
  fs.renameSync(tmp, fileOf(dataDir));
}

export function removeHubFile(dataDir: string): void {
  try {
    const info = JSON.parse(fs.readFileSync(fileOf(dataDir), 'utf8')) as HubFile;
    if (info.pid === process.pid) fs.unlinkSync(fileOf(dataDir));
  } catch {
    /* not ours or gone */
  }
}

/** The running hub of this data directory, if one holds its lock and has written hub.json. */
export function runningHub(dataDir: string): HubFile | null {
  const holder = lockHolder(dataDir);
  if (holder === null) return null;
  try {
    const info = JSON.parse(fs.readFileSync(fileOf(dataDir), 'utf8')) as HubFile;
    return info.pid === holder ? info : null;
  } catch {
    return null;
  }
}
