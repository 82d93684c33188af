/**
 * The manual's result codes (chapter 5), in one place: Table 2 for TCP/UDP/SSL sockets
 * (AT+QIGETERROR, +QIOPEN, +QSSLOPEN), Table 3 for HTTP(S) (+QHTTPGET and friends). Errors that
 * carry them are in errors.ts.
 */

/** Chapter 5, Table 2: TCP/UDP/SSL result codes. */
export const Result = {
  OK: 0,
  INVALID_PARAMETER: 550,
  UNKNOWN_ERROR: 551,
  MEMORY_NOT_ENOUGH: 552,
  ID_IN_USE: 553,
  ID_NOT_EXIST: 554,
  ALLOCATE_FAILED: 555,
  NOT_ALLOWED: 556,
  NOT_SUPPORTED: 557,
} as const;
export type ResultCode = (typeof Result)[keyof typeof Result];

/** Table 2's descriptions, as AT+QIGETERROR prints them (§2.3.9). */
export const RESULT_DESCRIPTION: Readonly<Record<ResultCode, string>> = {
  0: 'Operation success',
  550: 'Invalid parameter',
  551: 'Unknown error',
  552: 'Memory not enough',
  553: 'Socket ID has been used',
  554: 'Socket ID not exist',
  555: 'Socket allocate failed',
  556: 'Operation not allowed',
  557: 'Operation not supported',
};

/** Chapter 5, Table 3: HTTP(S) result codes. */
export const HttpResult = {
  OK: 0,
  INVALID_PARAMETER: 1,
  UNKNOWN_ERROR: 2,
  MEMORY_NOT_ENOUGH: 3,
  SOCKET_FAILURE: 4,
  NOT_SUPPORTED: 5,
  NOT_ALLOWED: 6,
  NO_NETWORK: 7,
  LACK_OF_SSL_CERT: 8,
  RESPONSE_TIMEOUT: 9,
  BODY_WAIT_TIMEOUT: 10,
} as const;
export type HttpResultCode = (typeof HttpResult)[keyof typeof HttpResult];

export const HTTP_RESULT_DESCRIPTION: Readonly<Record<HttpResultCode, string>> = {
  0: 'Operation success',
  1: 'Invalid parameter',
  2: 'Unknown error',
  3: 'Memory not enough',
  4: 'Socket failure',
  5: 'Operation not supported',
  6: 'Operation not allowed',
  7: 'No network',
  8: 'Lack of SSL Cert',
  9: 'Response timeout',
  10: 'Body wait timeout',
};
