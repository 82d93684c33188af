/** Repeatable runs' network: cassettes, and the world's record/replay hook (docs/cassettes.md). */
export { Cassette, CassetteError, CASSETTE_VERSION, describeKey } from './cassette.ts';
export type { ConnectionKey, RecordedClose, RecordedConnect, RecordedConnection, RecordedEvent } from './cassette.ts';
export { LOCAL_PORT_MAX, LOCAL_PORT_MIN, type NetMode, type TapDial, WorldNet } from './world-net.ts';
