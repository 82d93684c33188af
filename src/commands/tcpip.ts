/**
 * TCP/UDP commands, manual §2.3.1–2.3.11 (examples 4.3.1–4.3.2), formats per FIDELITY.md.
 * The sockets are real (src/net/); what the host hears of them is in src/tcpip/reports.ts.
 */
import type { ExecContext } from '../at/engine.ts';
import { background } from '../device/background.ts';
import type { Fc41dModule } from '../device/module.ts';
import { SERVICE_TYPES, SocketState } from '../net/types.ts';
import { RESULT_DESCRIPTION, Result } from '../results/index.ts';
import { formatEndpoint } from '../tcpip/reports.ts';
import type { Args, ParamSpec } from './params.ts';
import { dataLine, hexScale, port, result, sendFromHost, socketId, stateLines } from './socket-common.ts';
import type { CommandSpec, KeyedWriteForm } from './registry.ts';

type Spec = CommandSpec<Fc41dModule>;

/** AT+QISTATE lists every socket, SSL clients included. */
const all = () => true;

/** AT+QICFG="<setting>"[,<value>]: without the value, the current one (§2.3.1). */
function setting(key: keyof Fc41dModule['tcpip'], name: string, spec: ParamSpec, apply?: (d: Fc41dModule, v: number) => void) {
  return {
    params: [{ ...spec, optional: true }],
    handler: (ctx: ExecContext, device: Fc41dModule, args: Args) => {
      const value = args.optInt(spec.name);
      if (value === undefined) ctx.line(`+QICFG: "${name}",${device.tcpip[key]}`);
      else {
        device.tcpip[key] = value;
        apply?.(device, value);
      }
      return 'OK';
    },
  };
}

const qicfg: KeyedWriteForm<Fc41dModule> = {
  key: { name: 'setting', type: 'string', quoted: true },
  variants: {
    transpktsize: setting('transpktsize', 'transpktsize', { name: 'transpktsize', type: 'int', min: 1, max: 1460 }),
    transwaittm: setting('transwaittm', 'transwaittm', { name: 'transwaittm', type: 'int', min: 0, max: 20 }),
    'accept/mode': setting('acceptMode', 'accept/mode', { name: 'accept_mode', type: 'int', values: [0, 1] }, (d, v) =>
      d.net.setAcceptMode(v === 1),
    ),
    'tcp/tw_cycle': setting('twCycle', 'tcp/tw_cycle', { name: 'tcp_tw_cycle', type: 'int', values: [0, 1] }),
    datatype: setting('datatype', 'datatype', { name: 'data_type', type: 'int', values: [0, 1] }),
  },
};

export const tcpipCommands: Spec[] = [
  { name: '+QICFG', section: '2.3.1', summary: 'Configure optional parameters for TCP/UDP sockets', write: qicfg },
  {
    // 2.3.2: OK then +QIOPEN: <id>,<err> (§3.3.1); transparent mode answers CONNECT or ERROR.
    name: '+QIOPEN',
    section: '2.3.2',
    summary: 'Open a TCP/UDP socket service',
    test: ['+QIOPEN: (0-11),("TCP","UDP","TCP LISTENER","UDP SERVICE"),"ip/dns",(1-65535),(1-65535),(0-2)'],
    write: {
      params: [
        socketId,
        { name: 'service_type', type: 'string', quoted: true, values: SERVICE_TYPES },
        { name: 'host', type: 'string', quoted: true, minLength: 1, maxLength: 255 },
        port('remote_port', 0),
        port('local_port', 0),
        { name: 'access_mode', type: 'int', values: [0, 1, 2] },
      ],
      handler: async (ctx, device, args) => {
        const type = args.str('service_type') as 'TCP' | 'UDP' | 'TCP LISTENER' | 'UDP SERVICE';
        const server = type === 'TCP LISTENER' || type === 'UDP SERVICE';
        const request = {
          id: args.int('socketID'),
          type,
          host: args.str('host'),
          remotePort: args.int('remote_port'),
          localPort: args.int('local_port'),
          mode: args.int('access_mode') as 0 | 1 | 2,
        };
        // A server needs its local port and cannot be transparent (§2.3.2 NOTE); a client needs a remote port.
        if (server && request.mode === 2) return result(device, Result.NOT_SUPPORTED);
        if (server ? request.localPort === 0 : request.remotePort === 0) return result(device, Result.INVALID_PARAMETER);
        if (request.mode !== 2) {
          background(device, () => device.net.open(request)); // the outcome comes as +QIOPEN (src/tcpip/reports.ts)
          return 'OK';
        }
        const code = await device.net.open(request);
        if (code !== Result.OK) return result(device, code);
        device.sockets.lastResult = Result.OK;
        const session = device.sockets.session(request.id);
        ctx.afterResponse(() => session.deliver());
        return ctx.enterTransparent(session);
      },
    },
  },
  {
    // 2.3.3: +QISTATE: <id>,"<type>","<addr>",<remote_port>,<local_port>,<state>
    name: '+QISTATE',
    section: '2.3.3',
    summary: 'Query socket state',
    exec: (ctx, device) => stateLines(ctx, device, '+QISTATE', all),
    read: (ctx, device) => stateLines(ctx, device, '+QISTATE', all),
    write: {
      params: [socketId],
      handler: (ctx, device, args) => stateLines(ctx, device, '+QISTATE', all, args.int('socketID')),
    },
  },
  {
    // 2.3.4: inline text/hex data, the <len>=0 counters, UDP SERVICE destinations, and the
    // prompt form `> ` … SEND OK of production firmware (FIDELITY.md).
    name: '+QISEND',
    section: '2.3.4',
    summary: 'Send data',
    test: ['+QISEND: (0-11),(0-1460),"data"[,"remote_ip",(1-65535)]'],
    write: {
      params: [
        socketId,
        { name: 'send_len', type: 'int', min: 0, max: 1460 },
        { name: 'data', type: 'string', quoted: true, optional: true, maxLength: 2920, counted: 'send_len' },
        { name: 'remote_ip', type: 'string', quoted: true, optional: true, minLength: 1, maxLength: 255 },
        { ...port('remote_port'), optional: true },
      ],
      payloadScale: hexScale,
      handler: async (ctx, device, args) => {
        const id = args.int('socketID');
        const len = args.int('send_len');
        const info = device.net.info(id);
        if (!info) return result(device, Result.ID_NOT_EXIST);
        const text = args.optBytes('data');
        if (len === 0 && text === undefined) {
          const c = device.net.sendCounters(id)!;
          ctx.line(`+QISEND: ${c.total},${c.acked},${c.unacked}`);
          return result(device, Result.OK);
        }
        const service = info.type === 'UDP SERVICE';
        let to = args.has('remote_ip') ? { address: args.str('remote_ip'), port: args.optInt('remote_port') ?? 0 } : undefined;
        if (service && text === undefined && to === undefined) {
          // Prompt form on a UDP SERVICE (FIDELITY.md): to the peer that last sent to it; none yet: 556, no prompt.
          to = device.net.lastPeer(id);
          if (!to) return result(device, Result.NOT_ALLOWED);
        }
        if (service !== (to !== undefined) || (args.has('remote_ip') && !args.has('remote_port'))) return result(device, Result.INVALID_PARAMETER);
        return sendFromHost(ctx, device, { info, len, text, to, prefix: '+QISEND' });
      },
    },
  },
  {
    // 2.3.5 (corrected per FIDELITY.md): +QIRD:<len>[,"<ip>",<port>], the data on its own line,
    // OK; <read_len> 0 gives +QIRD:<total>,<read>,<unread>.
    name: '+QIRD',
    section: '2.3.5',
    summary: 'Read received data',
    prefix: '+QIRD:', // no space after the colon (FIDELITY.md), in =? too
    write: {
      params: [socketId, { name: 'read_len', type: 'int', min: 0, max: 1500 }],
      handler: (ctx, device, args) => {
        const id = args.int('socketID');
        const info = device.net.info(id);
        if (!info) return result(device, Result.ID_NOT_EXIST);
        const max = args.int('read_len');
        if (max === 0) {
          const c = device.net.recvCounters(id)!;
          ctx.line(`+QIRD:${c.total},${c.read},${c.unread}`);
          return result(device, Result.OK);
        }
        const chunk = device.net.read(id, max);
        device.sockets.readDone(id);
        if (!chunk || chunk.data.length === 0) {
          ctx.line('+QIRD:0');
          return result(device, Result.OK);
        }
        const from = info.type === 'UDP SERVICE' && chunk.from ? `,"${chunk.from.address}",${chunk.from.port}` : '';
        ctx.line(`+QIRD:${chunk.data.length}${from}`);
        dataLine(ctx, device, chunk.data);
        return result(device, Result.OK);
      },
    },
  },
  {
    // 2.3.6: accept (answering +QIACCEPT: <id>,"<addr>",<port>) or reject a waiting connection.
    name: '+QIACCEPT',
    aliases: ['+QIAACCEPT'],
    section: '2.3.6',
    summary: 'Accept/reject an incoming connection',
    write: {
      params: [socketId, { name: 'accept', type: 'int', values: [0, 1] }, { ...socketId, name: 'incoming_socketID', optional: true }],
      handler: (ctx, device, args) => {
        const accepted = device.net.accept(args.int('socketID'), args.int('accept') === 1, args.optInt('incoming_socketID'));
        if (!accepted.ok) return result(device, accepted.result);
        if (accepted.info) ctx.line(`+QIACCEPT: ${accepted.info.id},${formatEndpoint(accepted.info.remote)}`);
        return result(device, Result.OK);
      },
    },
  },
  {
    // 2.3.7: mode 2 answers CONNECT and hands the line to the socket.
    name: '+QISWTMD',
    section: '2.3.7',
    summary: 'Switch data access mode',
    write: {
      params: [socketId, { name: 'access_mode', type: 'int', values: [0, 1, 2] }],
      handler: (ctx, device, args) => {
        const id = args.int('socketID');
        const mode = args.int('access_mode') as 0 | 1 | 2;
        const info = device.net.info(id);
        if (!info) return result(device, Result.ID_NOT_EXIST);
        if (mode === 2 && (info.state !== SocketState.Connected || info.type === 'TCP LISTENER' || info.type === 'UDP SERVICE'))
          return result(device, Result.NOT_ALLOWED);
        const code = device.net.setMode(id, mode);
        if (code !== Result.OK) return result(device, code);
        device.sockets.lastResult = Result.OK;
        if (mode !== 2) {
          ctx.afterResponse(() => device.sockets.modeChanged(id));
          return 'OK';
        }
        const session = device.sockets.session(id);
        ctx.afterResponse(() => session.deliver());
        return ctx.enterTransparent(session);
      },
    },
  },
  {
    // 2.3.8: OK, then +QIURC: "closed",<id>.
    name: '+QICLOSE',
    section: '2.3.8',
    summary: 'Close a socket',
    write: {
      params: [socketId, { name: 'close_timeout', type: 'int', min: 1, max: 60, optional: true, default: 2 }],
      handler: async (_ctx, device, args) => {
        const id = args.int('socketID');
        const code = await device.net.close(id, args.int('close_timeout') * 1000);
        if (code !== Result.OK) return result(device, code);
        device.sockets.forget(id);
        device.urc(`+QIURC: "closed",${id}`);
        return result(device, Result.OK);
      },
    },
  },
  {
    // 2.3.9: the last socket command's result and its chapter-5 description.
    name: '+QIGETERROR',
    section: '2.3.9',
    summary: 'Query the last socket result code',
    exec: (ctx, device) => {
      const code = device.sockets.lastResult;
      ctx.line(`+QIGETERROR: ${code},${RESULT_DESCRIPTION[code]}`);
      return 'OK';
    },
  },
  {
    // 2.3.10: resume the last transparent session; NO CARRIER when there is none.
    name: 'O',
    section: '2.3.10',
    summary: 'Enter transparent transmission mode',
    exec: (ctx, device) => {
      if (!ctx.resumeTransparent()) return 'NO CARRIER';
      ctx.afterResponse(() => device.sockets.deliverAll());
      return 'CONNECT';
    },
  },
];
