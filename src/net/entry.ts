/** One socket id's record in the service: what AT+QISTATE shows, its buffers and its real socket. */
import type { Link } from './link.ts';
import type { TcpListener } from './listener.ts';
import { RecvBuffer } from './recv-buffer.ts';
import { SendCounter } from './send-counter.ts';
import { type AccessMode, type Endpoint, type ServiceType, type SocketInfo, SocketState, type SocketStateValue } from './types.ts';
import { type ResultCode } from '../results/index.ts';

export interface Entry {
  readonly id: number;
  readonly type: ServiceType;
  state: SocketStateValue;
  mode: AccessMode;
  /** The module's view: the resolved address and the port the host asked for (not a hosts-map remapped one). */
  remote: Endpoint | null;
  localPort: number;
  hostEndpoint?: Endpoint;
  listenerId?: number;
  /** SSL CLIENT: its SSL context. */
  sslCtx?: number;
  readonly recv: RecvBuffer;
  readonly sent: SendCounter;
  link?: Link;
  listener?: TcpListener;
  /** While Opening: abandons the attempt. `link`: the Wi-Fi link went (the open fails loudly). */
  cancel?: (why: 'host' | 'link') => void;
  /** `closed` was reported (peer close, error, link loss): never twice. */
  reported: boolean;
  /** close() or closeAll() took it: nothing more is reported. */
  closing: boolean;
  /** The close() under way, so a second close() waits for the same end. */
  closeDone?: Promise<ResultCode>;
}

export function makeEntry(
  id: number,
  type: ServiceType,
  mode: AccessMode,
  capacity: number,
  fields: Partial<Pick<Entry, 'state' | 'remote' | 'localPort' | 'listenerId'>> = {},
): Entry {
  return {
    id,
    type,
    mode,
    state: fields.state ?? SocketState.Opening,
    remote: fields.remote ?? null,
    localPort: fields.localPort ?? 0,
    ...(fields.listenerId === undefined ? {} : { listenerId: fields.listenerId }),
    recv: new RecvBuffer(capacity, type === 'UDP' || type === 'UDP SERVICE'),
    sent: new SendCounter(),
    reported: false,
    closing: false,
  };
}

export function infoOf(entry: Entry): SocketInfo {
  return {
    id: entry.id,
    type: entry.type,
    remote: entry.remote && { ...entry.remote },
    localPort: entry.localPort,
    state: entry.state,
    mode: entry.mode,
    ...(entry.hostEndpoint ? { hostEndpoint: { ...entry.hostEndpoint } } : {}),
    ...(entry.listenerId === undefined ? {} : { listenerId: entry.listenerId }),
    ...(entry.sslCtx === undefined ? {} : { sslCtx: entry.sslCtx }),
  };
}
