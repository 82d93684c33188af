/** A real module in-process (default world unless given) with a coverage recorder attached, and a host talking to it. */
import { CoverageRecorder } from '../../src/coverage/index.ts';
import { createModule, type ModuleOptions } from '../../src/index.ts';
import { AtHost } from '../helpers/at-host.ts';

export const T = 10_000;

export async function coveredModule(opts: ModuleOptions = {}, recorder = new CoverageRecorder()) {
  const m = createModule({ echo: false, bootMs: 5, ...opts });
  const detach = recorder.attach(m.module);
  const host = new AtHost(m.stream);
  await host.expect('\r\nready\r\n', T);
  return {
    module: m.module,
    host,
    recorder,
    detach,
    at: (line: string) => host.command(line, T),
    close: () => {
      detach();
      m.close();
    },
  };
}
