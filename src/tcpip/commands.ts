/**
 * TCP/UDP commands, manual §2.3.1–2.3.11 (examples 4.3.1–4.3.2), formats per FIDELITY.md.
 * The sockets are real (src/net/); what the host hears of them is in src/tcpip/reports.ts.
 */
import { declare, param } from '../commands/declare.ts';
import type { CommandSpec } from '../commands/registry.ts';
import { background } from '../feature/background.ts';
import { SERVICE_TYPES, SocketState } from '../net/types.ts';
import { RESULT_DESCRIPTION, Result } from '../results/index.ts';
import type { TcpipConfig } from './config.ts';
import { formatEndpoint } from './reports.ts';
import type { TcpipService } from './service.ts';
import { dataLine, hexScale, port, result, sendFromHost, socketId, stateLines } from './socket-common.ts';

type Spec = CommandSpec<TcpipService>;
const { form, keyed } = declare<TcpipService>();

/** AT+QISTATE lists every socket, SSL clients included. */
const all = () => true;

/** AT+QICFG="<setting>"[,<value>]: without the value, the current one (§2.3.1). */
function setting(key: keyof TcpipConfig, name: string, value: { min?: number; max?: number; values?: readonly number[] }, apply?: (t: TcpipService, v: number) => void) {
  return form([param.int('value', { ...value, optional: true })], (ctx, tcpip, args) => {
    const v = args.optInt('value');
    if (v === undefined) ctx.line(`+QICFG: "${name}",${tcpip.config[key]}`);
    else {
      tcpip.config[key] = v;
      apply?.(tcpip, v);
    }
    return 'OK';
  });
}

const qicfg = keyed(param.str('setting', { quoted: true }), {
  transpktsize: setting('transpktsize', 'transpktsize', { min: 1, max: 1460 }),
  transwaittm: setting('transwaittm', 'transwaittm', { min: 0, max: 20 }),
  'accept/mode': setting('acceptMode', 'accept/mode', { values: [0, 1] }, (t, v) => t.net.setAcceptMode(v === 1)),
  'tcp/tw_cycle': setting('twCycle', 'tcp/tw_cycle', { values: [0, 1] }),
  datatype: setting('datatype', 'datatype', { values: [0, 1] }),
});

export const tcpipCommands: Spec[] = [
  { name: '+QICFG', section: '2.3.1', summary: 'Configure optional parameters for TCP/UDP sockets', write: qicfg },
  {
    // 2.3.2: OK then +QIOPEN: <id>,<err> (§3.3.1); transparent mode answers CONNECT or ERROR.
    name: '+QIOPEN',
    section: '2.3.2',
    summary: 'Open a TCP/UDP socket service',
    test: ['+QIOPEN: (0-11),("TCP","UDP","TCP LISTENER","UDP SERVICE"),"ip/dns",(1-65535),(1-65535),(0-2)'],
    write: form([
      socketId,
      { name: 'service_type', type: 'string', quoted: true, values: SERVICE_TYPES },
      { name: 'host', type: 'string', quoted: true, minLength: 1, maxLength: 255 },
      port('remote_port', 0),
      port('local_port', 0),
      { name: 'access_mode', type: 'int', values: [0, 1, 2] },
    ], async (ctx, tcpip, args) => {
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
      if (server && request.mode === 2) return result(tcpip, Result.NOT_SUPPORTED);
      if (server ? request.localPort === 0 : request.remotePort === 0) return result(tcpip, Result.INVALID_PARAMETER);
      if (request.mode !== 2) {
        background(tcpip.host, () => tcpip.net.open(request)); // the outcome comes as +QIOPEN (src/tcpip/reports.ts)
        return 'OK';
      }
      const code = await tcpip.net.open(request);
      if (code !== Result.OK) return result(tcpip, code);
      tcpip.lastResult = Result.OK;
      const session = tcpip.reports.session(request.id);
      ctx.afterResponse(() => session.deliver());
      return ctx.enterTransparent(session);
    }),
  },
  {
    // 2.3.3: +QISTATE: <id>,"<type>","<addr>",<remote_port>,<local_port>,<state>
    name: '+QISTATE',
    section: '2.3.3',
    summary: 'Query socket state',
    exec: (ctx, tcpip) => stateLines(ctx, tcpip, '+QISTATE', all),
    read: (ctx, tcpip) => stateLines(ctx, tcpip, '+QISTATE', all),
    write: form([socketId], (ctx, tcpip, args) => stateLines(ctx, tcpip, '+QISTATE', all, args.int('socketID'))),
  },
  {
    // 2.3.4: inline text/hex data, the <len>=0 counters, UDP SERVICE destinations, and the
    // prompt form `> ` … SEND OK of production firmware (FIDELITY.md).
    name: '+QISEND',
    section: '2.3.4',
    summary: 'Send data',
    test: ['+QISEND: (0-11),(0-1460),"data"[,"remote_ip",(1-65535)]'],
    write: form([
      socketId,
      { name: 'send_len', type: 'int', min: 0, max: 1460 },
      { name: 'data', type: 'string', quoted: true, optional: true, maxLength: 2920, counted: 'send_len' },
      { name: 'remote_ip', type: 'string', quoted: true, optional: true, minLength: 1, maxLength: 255 },
      port('remote_port', 1, true),
    ], async (ctx, tcpip, args) => {
      const id = args.int('socketID');
      const len = args.int('send_len');
      const info = tcpip.net.info(id);
      if (!info) return result(tcpip, Result.ID_NOT_EXIST);
      const text = args.optBytes('data');
      if (len === 0 && text === undefined) {
        const c = tcpip.net.sendCounters(id)!;
        ctx.line(`+QISEND: ${c.total},${c.acked},${c.unacked}`);
        return result(tcpip, Result.OK);
      }
      const service = info.type === 'UDP SERVICE';
      let to = args.has('remote_ip') ? { address: args.str('remote_ip'), port: args.optInt('remote_port') ?? 0 } : undefined;
      if (service && text === undefined && to === undefined) {
        // Prompt form on a UDP SERVICE (FIDELITY.md): to the peer that last sent to it; none yet: 556, no prompt.
        to = tcpip.net.lastPeer(id);
        if (!to) return result(tcpip, Result.NOT_ALLOWED);
      }
      if (service !== (to !== undefined) || (args.has('remote_ip') && !args.has('remote_port'))) return result(tcpip, Result.INVALID_PARAMETER);
      return sendFromHost(ctx, tcpip, { info, len, text, to, prefix: '+QISEND' });
    }, { payloadScale: hexScale }),
  },
  {
    // 2.3.5 (corrected per FIDELITY.md): +QIRD:<len>[,"<ip>",<port>], the data on its own line,
    // OK; <read_len> 0 gives +QIRD:<total>,<read>,<unread>.
    name: '+QIRD',
    section: '2.3.5',
    summary: 'Read received data',
    prefix: '+QIRD:', // no space after the colon (FIDELITY.md), in =? too
    write: form([socketId, { name: 'read_len', type: 'int', min: 0, max: 1500 }], (ctx, tcpip, args) => {
      const id = args.int('socketID');
      const info = tcpip.net.info(id);
      if (!info) return result(tcpip, Result.ID_NOT_EXIST);
      const max = args.int('read_len');
      if (max === 0) {
        const c = tcpip.net.recvCounters(id)!;
        ctx.line(`+QIRD:${c.total},${c.read},${c.unread}`);
        return result(tcpip, Result.OK);
      }
      const chunk = tcpip.net.read(id, max);
      tcpip.reports.readDone(id);
      if (!chunk || chunk.data.length === 0) {
        ctx.line('+QIRD:0');
        return result(tcpip, Result.OK);
      }
      const from = info.type === 'UDP SERVICE' && chunk.from ? `,"${chunk.from.address}",${chunk.from.port}` : '';
      ctx.line(`+QIRD:${chunk.data.length}${from}`);
      dataLine(ctx, tcpip, chunk.data);
      return result(tcpip, Result.OK);
    }),
  },
  {
    // 2.3.6: accept (answering +QIACCEPT: <id>,"<addr>",<port>) or reject a waiting connection.
    name: '+QIACCEPT',
    aliases: ['+QIAACCEPT'],
    section: '2.3.6',
    summary: 'Accept/reject an incoming connection',
    write: form([socketId, { name: 'accept', type: 'int', values: [0, 1] }, param.int('incoming_socketID', { min: 0, max: 11, optional: true })], (ctx, tcpip, args) => {
      const accepted = tcpip.net.accept(args.int('socketID'), args.int('accept') === 1, args.optInt('incoming_socketID'));
      if (!accepted.ok) return result(tcpip, accepted.result);
      if (accepted.info) ctx.line(`+QIACCEPT: ${accepted.info.id},${formatEndpoint(accepted.info.remote)}`);
      return result(tcpip, Result.OK);
    }),
  },
  {
    // 2.3.7: mode 2 answers CONNECT and hands the line to the socket.
    name: '+QISWTMD',
    section: '2.3.7',
    summary: 'Switch data access mode',
    write: form([socketId, { name: 'access_mode', type: 'int', values: [0, 1, 2] }], (ctx, tcpip, args) => {
      const id = args.int('socketID');
      const mode = args.int('access_mode') as 0 | 1 | 2;
      const info = tcpip.net.info(id);
      if (!info) return result(tcpip, Result.ID_NOT_EXIST);
      if (mode === 2 && (info.state !== SocketState.Connected || info.type === 'TCP LISTENER' || info.type === 'UDP SERVICE'))
        return result(tcpip, Result.NOT_ALLOWED);
      const code = tcpip.net.setMode(id, mode);
      if (code !== Result.OK) return result(tcpip, code);
      tcpip.lastResult = Result.OK;
      if (mode !== 2) {
        ctx.afterResponse(() => tcpip.reports.modeChanged(id));
        return 'OK';
      }
      const session = tcpip.reports.session(id);
      ctx.afterResponse(() => session.deliver());
      return ctx.enterTransparent(session);
    }),
  },
  {
    // 2.3.8: OK, then +QIURC: "closed",<id>.
    name: '+QICLOSE',
    section: '2.3.8',
    summary: 'Close a socket',
    write: form([socketId, { name: 'close_timeout', type: 'int', min: 1, max: 60, optional: true, default: 2 }], async (_ctx, tcpip, args) => {
      const id = args.int('socketID');
      const code = await tcpip.net.close(id, args.int('close_timeout') * 1000);
      if (code !== Result.OK) return result(tcpip, code);
      tcpip.reports.forget(id);
      tcpip.host.urc(`+QIURC: "closed",${id}`);
      return result(tcpip, Result.OK);
    }),
  },
  {
    // 2.3.9: the last socket command's result and its chapter-5 description.
    name: '+QIGETERROR',
    section: '2.3.9',
    summary: 'Query the last socket result code',
    exec: (ctx, tcpip) => {
      const code = tcpip.lastResult;
      ctx.line(`+QIGETERROR: ${code},${RESULT_DESCRIPTION[code]}`);
      return 'OK';
    },
  },
  {
    // 2.3.10: resume the last transparent session; NO CARRIER when there is none.
    name: 'O',
    section: '2.3.10',
    summary: 'Enter transparent transmission mode',
    exec: (ctx, tcpip) => {
      if (!ctx.resumeTransparent()) return 'NO CARRIER';
      ctx.afterResponse(() => tcpip.reports.deliverAll());
      return 'CONNECT';
    },
  },
];
