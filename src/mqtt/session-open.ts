/**
 * AT+QMTOPEN's way to the broker (§2.5.2): dial() (docs/dial.md) over TLS through SSL context
 * <SSL_ctxID> when "ssl" is enabled (§2.5.1), and its failures as +QMTOPEN <result>s.
 */
import type net from 'node:net';
import { dial, type DialNetwork } from '../net/dial.ts';
import { causeCode } from '../net/link.ts';
import { dnsLookup, hostKind } from '../net/resolve.ts';
import { Result, resultOf } from '../results/index.ts';
import { OpenResult, type OpenResultCode } from './types.ts';

export interface OpenRequest {
  network: DialNetwork;
  host: string;
  port: number;
  /** The SSL context id, or null for plain TCP. */
  tlsContext: number | null;
  signal: AbortSignal;
}

/** A connected socket, or the +QMTOPEN result that says why not and the reason for a trace. */
export type Opened = { ok: true; socket: net.Socket } | { ok: false; result: OpenResultCode; error: unknown };

export async function openSocket(request: OpenRequest): Promise<Opened> {
  const { network, host, port, tlsContext, signal } = request;
  // Whether the name went to DNS and came back with nothing (dial()'s 551 does not say which stage).
  let asked = false;
  let resolved = false;
  const lookup = network.lookup ?? dnsLookup;
  const watched: DialNetwork = Object.assign(Object.create(network) as DialNetwork, {
    lookup: (name: string) => ((asked = true), lookup(name)),
  });
  try {
    const socket = await dial(
      { host, port },
      { network: watched, signal, ...(tlsContext === null ? {} : { tls: tlsContext }), onResolved: () => (resolved = true) },
    );
    return { ok: true, socket };
  } catch (error) {
    // A dns-failure fault fails the name before any lookup, as NXDOMAIN does (ENOTFOUND).
    const notFound = !resolved && causeCode(error) === 'ENOTFOUND';
    return { ok: false, result: openFailure(error, host, (asked && !resolved) || notFound), error };
  }
}

/**
 * dial()'s refusals as +QMTOPEN results: no station address (556) → 3 ("failed to activate
 * PDP", the Wi-Fi module's nearest); a name that does not resolve, or a host that is no name at
 * all (a real module asks its DNS and fails) → 4; anything else (refused, unreachable, timed out,
 * a TLS handshake or SSL context failure) → -1.
 */
export function openFailure(error: unknown, host: string, lookupFailed: boolean): OpenResultCode {
  if (resultOf(error) === Result.NOT_ALLOWED) return OpenResult.NO_NETWORK;
  if (lookupFailed || hostKind(host) === 'bad') return OpenResult.DNS_FAILED;
  return OpenResult.SOCKET_FAILED;
}
