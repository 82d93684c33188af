/** AT+QICFG settings (§2.3.1): in RAM, back to these defaults at every boot (not saved). */
export interface TcpipConfig {
  /** Transparent mode: bytes per packet sent to the socket, 1–1460. */
  transpktsize: number;
  /** Transparent mode: wait for more host bytes before sending a short packet, in 100 ms (0–20). */
  transwaittm: number;
  /** 0 accept incoming connections automatically, 1 with AT+QIACCEPT. */
  acceptMode: number;
  /** 0 release a closed TCP port at once, 1 after TIME_WAIT (a real socket option; kept for the read-back). */
  twCycle: number;
  /** 0 AT+QISEND/AT+QIRD/direct-push data as text (raw bytes), 1 as hex strings. */
  datatype: number;
}

export function defaultTcpipConfig(): TcpipConfig {
  return { transpktsize: 1024, transwaittm: 2, acceptMode: 0, twCycle: 0, datatype: 0 };
}
