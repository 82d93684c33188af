/**
 * fc41d-emulator/client: drive an FC41D — real (a serial port), or emulated (TCP, PTY,
 * in-process) — with the same program. docs/client.md.
 */
export { AtClient, type ClientOptions } from './client.ts';
export { connectClient } from './connect.ts';
export { AtError, AtTimeoutError, AtClosedError, AtCommandError, AtAbortError } from './errors.ts';
export { openTarget, parseAddress, type Link } from './transports.ts';
export { splitParams, parseUrc } from './urc.ts';
export type { ClientTarget, ConnectOptions, CommandOptions, CommandResult, Urc, WaitUrcOptions, SendDataOptions, TransparentOptions } from './types.ts';
