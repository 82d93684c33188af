/** The checker's rules, one line each (docs/checker.md has the long form, with examples). */
import type { RuleId } from './types.ts';

export const CHECK_RULES: readonly { id: RuleId; summary: string }[] = [
  { id: 'command-before-final', summary: 'a command line was sent before the previous command had its final result' },
  { id: 'data-before-prompt', summary: 'data was sent before the module asked for it with "> " or CONNECT' },
  { id: 'mixed-terminators', summary: 'command lines end in different ways (\\r, \\r\\n, \\r\\r) in one session' },
  { id: 'missing-terminator', summary: 'a command was left without its line terminator' },
  { id: 'line-too-long', summary: "a command line is longer than the module's line buffer" },
  { id: 'counted-length', summary: 'counted data was longer or shorter than its declared length' },
  { id: 'command-before-ready', summary: 'bytes were sent after power-up or reset before the module said ready (they are lost)' },
  { id: 'rapid-retry', summary: 'the same failing command was repeated more than N times within one second' },
  { id: 'unread-data', summary: 'data announced by a URC (socket, MQTT store, HTTP body) was never read' },
  { id: 'escape-guard', summary: '+++ was sent without its guard time of silence before and after' },
];
