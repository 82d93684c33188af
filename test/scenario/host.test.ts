// Scenarios with a real host: a Python script spawned with `sh -c` in the scenario's folder
// ({tcp}, {pty}, env), its exit code (expect-exit; a crash is 'error'), and `attach: true`.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { runScenario, type ScenarioResult } from '../../src/scenario/run.ts';
import { run, scenarios } from './helpers.ts';

const TEST = { timeout: 20_000 };

/** A 20-line host: waits for ready, sends AT and AT+QVERSION, prints the answer, exits with argv[2]. */
const HOST_PY = String.raw`
import os, socket, sys
host, port = sys.argv[1].rsplit(':', 1)
s = socket.create_connection((host, int(port)))
buf = b''
def until(token):
    global buf
    while token not in buf:
        chunk = s.recv(1024)
        if not chunk:
            sys.exit(2)
        buf += chunk
    end = buf.index(token) + len(token)
    got, buf = buf[:end], buf[end:]
    return got
until(b'ready\r\n')
s.sendall(b'AT\r\n')
until(b'OK\r\n')
s.sendall(b'AT+QVERSION\r\n')
print('host got', until(b'OK\r\n').decode().split('\r\n')[-4], os.environ.get('GREETING', '-'), flush=True)
sys.exit(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
`;

test('a Python host: its commands and the answers are expected, it exits 0; env and cwd as set', TEST, async () => {
  const r = await run(
    String.raw`
name: python host
host:
  spawn: python3 host.py {tcp}
  env: { GREETING: hello }
steps:
  - expect-command: "re:^AT$"
  - expect-output: "re:^OK$"
  - expect-command: AT+QVERSION
  - expect-output: "+QVERSION:"
  - expect-exit: 0
`,
    {},
    { 'host.py': HOST_PY },
  );
  assert.equal(r.outcome, 'passed', r.failure?.message ?? r.error);
  assert.match(r.hostLog, /^host got \+QVERSION:\S+ hello\n$/);
  assert.match(r.transcript, /^> AT\\r\\n$/m);
  assert.ok(r.outputs[0]!.toString().startsWith('\r\nready\r\nAT\r'), JSON.stringify(r.outputs[0]!.toString()));
});

test('a host that exits 3 while steps remain: error (exit 3), at once, naming the exit', TEST, async () => {
  const r = await run(
    'name: crash\nhost: { spawn: "python3 host.py {tcp} 3" }\nsteps:\n  - expect-command: AT+QVERSION\n  - expect-output: "never said"\n',
    {},
    { 'host.py': HOST_PY },
  );
  assert.equal(r.outcome, 'error');
  assert.equal(r.error, 'steps[1] expect-output: the host exited with 3 while steps remained (at steps[1] expect-output)');
  assert.equal(r.failure, undefined);
  assert.ok(r.elapsedMs < 8000, `did not wait for the step's 10 s: ${r.elapsedMs}`);
  assert.match(r.hostLog, /host got/);
});

test('expect-exit: the code the scenario expects passes; another code fails; a host that stays is killed', TEST, async () => {
  const expected = await run('name: exit 3 expected\nhost: { spawn: "python3 host.py {tcp} 3" }\nsteps:\n  - expect-output: "+QVERSION:"\n  - expect-exit: 3\n', {}, { 'host.py': HOST_PY });
  assert.equal(expected.outcome, 'passed', expected.failure?.message ?? expected.error);

  const wrong = await run('name: exits 0\nhost: { spawn: "python3 host.py {tcp} 0" }\nsteps:\n  - expect-exit: 1\n', {}, { 'host.py': HOST_PY });
  assert.equal(wrong.outcome, 'failed');
  assert.deepEqual([wrong.failure!.step, wrong.failure!.pattern, wrong.failure!.message], ['steps[0] expect-exit', '1', 'the host exited with 0, not 1']);

  const t0 = performance.now();
  const stays = await run('name: lingering\nhost: { spawn: "echo started; exec sleep 30" }\nsteps:\n  - delay: 200ms\n');
  assert.equal(stays.outcome, 'passed');
  assert.equal(stays.hostLog, 'started\n');
  assert.ok(performance.now() - t0 < 5000, 'SIGTERM ended it at the last step');

  const slow = await run('name: never exits\nhost: { spawn: "exec sleep 30" }\nsteps:\n  - expect-exit: 0\n    timeout: 300ms\n');
  assert.equal(slow.outcome, 'failed');
  assert.equal(slow.failure!.message, 'the host had not exited after 300 ms');
});

test('{pty}: the host talks to the module through a pseudo-terminal', TEST, async () => {
  const ptyHost = String.raw`
import os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
os.write(fd, b'AT+QWLMAC\r\n')
buf = b''
deadline = time.time() + 8
while b'OK\r\n' not in buf and time.time() < deadline:
    buf += os.read(fd, 256)
print(buf.decode().strip().splitlines()[-3], flush=True)
`;
  const r = await run('name: pty\nhost: { spawn: "python3 pty-host.py {pty}" }\nsteps:\n  - expect-command: AT+QWLMAC\n  - expect-output: "re:^\\\\+QWLMAC:c8:47:8c"\n  - expect-exit: 0\n', {}, { 'pty-host.py': ptyHost });
  assert.equal(r.outcome, 'passed', r.failure?.message ?? `${r.error} ${r.hostLog}`);
  assert.match(r.hostLog, /^\+QWLMAC:[0-9a-f:]+\n$/);
});

test('attach: true waits for an external host on module 0 before the steps', TEST, async () => {
  const [loaded] = scenarios('name: attach\nhost: { attach: true }\nsteps:\n  - expect-command: AT+QWLMAC\n  - expect-output: "+QWLMAC:"\n');
  let result!: Promise<ScenarioResult>;
  const announced = new Promise<number>((resolve) => {
    const log = (line: string) => {
      const m = /^waiting for a host on tcp 127\.0\.0\.1:(\d+)$/.exec(line);
      if (m) resolve(Number(m[1]));
    };
    result = runScenario(loaded!, { log });
  });
  const port = await announced;
  const hostDone = new Promise<void>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let seen = '';
    socket.on('data', (b) => {
      seen += b.toString();
      if (seen.endsWith('ready\r\n')) socket.write('AT+QWLMAC\r\n'); // not before: a booting module drops input
      if (seen.includes('OK')) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
  const r = await result;
  await hostDone;
  assert.equal(r.outcome, 'passed', r.failure?.message ?? r.error);
  assert.match(r.transcript, /^> AT\+QWLMAC\\r\\n$/m);
});
