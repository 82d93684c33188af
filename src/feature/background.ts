/**
 * Work nobody waits for (a socket open whose result comes as a URC, a page stopped on reset):
 * a throw or a rejection in it is a bug in the emulator. It goes to the module's `fault` event
 * (traces, the CLI), never to the event loop, where an unhandled rejection would end the
 * process and every module in it. Use this instead of `void promise`.
 */
export interface FaultSink {
  emit(event: 'fault', error: unknown): boolean;
}

export function background(sink: FaultSink, work: () => unknown): void {
  const report = (error: unknown) => void sink.emit('fault', error);
  try {
    const result = work();
    if (result instanceof Promise) result.catch(report);
  } catch (error) {
    report(error);
  }
}
