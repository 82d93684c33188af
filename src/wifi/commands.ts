/**
 * Wi-Fi commands of manual §2.1 (2.1.5, 2.1.6, 2.1.8, 2.1.12–2.1.26); formats per
 * FIDELITY.md. The behaviour behind them (joining, DHCP, soft-AP, provisioning) is in
 * src/wifi/; decisions where the manual is silent are in docs/wifi.md.
 */
import { declare, param } from '../commands/declare.ts';
import type { Args } from '../commands/params.ts';
import type { CommandSpec, WriteForm } from '../commands/registry.ts';
import { type IpConfig, NO_IP } from '../world/ip.ts';
import { probe } from './ping.ts';
import { SCAN_MS, type WifiService } from './service.ts';

type Spec = CommandSpec<WifiService>;
const { form } = declare<WifiService>();

const ssid = param.str('SSID', { quoted: false, minLength: 1, maxLength: 32 });
const key = param.str('key', { quoted: false, minLength: 8, maxLength: 63, optional: true });
const enable = param.int('enable', { values: [0, 1] });
const ipParams = [
  param.str('IP', { quoted: false, format: 'ipv4' }),
  param.str('mask', { quoted: false, format: 'ipv4' }),
  param.str('gate', { quoted: false, format: 'ipv4' }),
  param.str('DNS', { quoted: false, format: 'ipv4' }),
] as const;

function ipFromArgs(args: Args<typeof ipParams>): IpConfig {
  return { ip: args.str('IP'), mask: args.str('mask'), gateway: args.str('gate'), dns: args.str('DNS') };
}

function formatIp(ip: IpConfig): string {
  // FIDELITY.md: key:value pairs in this order, no space after the colon.
  return `+QGETIP:ip:${ip.ip},gateway:${ip.gateway},mask:${ip.mask},dns:${ip.dns}`;
}

/** §2.1.22/2.1.23: join an AP, and for the DEF form save it for the next boot. */
function joinForm(save: boolean): WriteForm<WifiService> {
  return form([ssid, key], (_ctx, wifi, args) => {
    if (save) wifi.remember(args.str('SSID'), args.optStr('key'));
    wifi.station.join(args.str('SSID'), args.optStr('key'));
    return 'OK';
  });
}

/** §2.1.14/2.1.15: DHCP on or off, and for the DEF form saved. */
function dhcpForm(save: boolean): WriteForm<WifiService> {
  return form([enable], (_ctx, wifi, args) => {
    const on = args.int('enable') === 1;
    if (save) wifi.saved.value.dhcp = on;
    wifi.useDhcp(on);
    return 'OK';
  });
}

export const wifiCommands: Spec[] = [
  {
    // 2.1.5: OK when the address answers, ERROR when it does not or there is no network.
    name: '+QPING',
    section: '2.1.5',
    summary: 'Ping external IP',
    write: form([{ name: 'IP', type: 'string', quoted: true, format: 'ipv4' }], async (_ctx, wifi, args) => ((await probe(wifi, args.str('IP'))) ? 'OK' : 'ERROR')),
  },
  {
    // 2.1.6: `+QGETIP:ip:…,gateway:…,mask:…,dns:…`; zeros when the interface has no address.
    name: '+QGETIP',
    section: '2.1.6',
    summary: 'Get IP information',
    prefix: '+QGETIP:',
    write: form([{ name: 'mode', type: 'string', quoted: false, values: ['station', 'ap'] }], (ctx, wifi, args) => {
      const ip = args.str('mode') === 'station' ? wifi.station.ip : wifi.softAp.up ? wifi.softAp.address : null;
      ctx.line(formatIp(ip ?? NO_IP));
      return 'OK';
    }),
  },
  {
    // 2.1.12: wait for AirKiss credentials (delivered through the API) or stop waiting.
    name: '+QAIRKISS',
    section: '2.1.12',
    summary: 'Enable/disable AirKiss',
    write: form([enable], (_ctx, wifi, args) => {
      wifi.airkiss = args.int('enable') === 1;
      return 'OK';
    }),
  },
  {
    // 2.1.13: STATION_UP while associated with an AP.
    name: '+QSTAST',
    section: '2.1.13',
    summary: 'Query STA mode state',
    exec: (ctx, wifi) => {
      ctx.line(`+QSTAST: ${wifi.station.state === 'connected' ? 'STATION_UP' : 'STATION_DOWN'}`);
      return 'OK';
    },
  },
  { name: '+QSTADHCP', section: '2.1.14', summary: 'Enable/disable DHCP in STA mode', write: dhcpForm(false) },
  { name: '+QSTADHCPDEF', section: '2.1.15', summary: 'Enable/disable DHCP in STA mode and save', saved: true, write: dhcpForm(true) },
  {
    // 2.1.16: honoured when DHCP is off; not saved.
    name: '+QSTASTATIC',
    aliases: ['+QSTASTSTATIC'],
    section: '2.1.16',
    summary: 'Configure static IP of STA mode',
    write: form(ipParams, (_ctx, wifi, args) => {
      wifi.useStaticIp(ipFromArgs(args));
      return 'OK';
    }),
  },
  {
    // 2.1.17: leave the AP and stop rejoining (the saved AP is kept for the next boot).
    name: '+QSTASTOP',
    aliases: ['+QSTASTSTOP'],
    section: '2.1.17',
    summary: 'Disable STA mode',
    exec: (_ctx, wifi) => {
      wifi.station.stop();
      return 'OK';
    },
  },
  {
    // 2.1.18: an AP in the shared world; open without a key, WPA2 with one.
    name: '+QSOFTAP',
    aliases: ['+QSOFATP'],
    section: '2.1.18',
    summary: 'Enable AP mode',
    write: form([ssid, key], async (_ctx, wifi, args) => {
      const k = args.optStr('key');
      // The manual's response times: 3300 ms with a key, 300 ms without.
      await wifi.world.wait(k === undefined ? 200 : 1000);
      wifi.softAp.start(args.str('SSID'), k);
      await wifi.updateWebConfig(); // the AP is up even if the page cannot start (webcfgError)
      return 'OK';
    }),
  },
  {
    name: '+QAPSTATE',
    section: '2.1.19',
    summary: 'Query AP mode state',
    exec: (ctx, wifi) => {
      ctx.line(`+QAPSTATE: ${wifi.softAp.up ? 'SOFTAP_UP' : 'SOFTAP_DOWN'}`);
      return 'OK';
    },
  },
  {
    // 2.1.20: the soft-AP's own address and the pool it hands out; not saved.
    name: '+QAPSTATIC',
    section: '2.1.20',
    summary: 'Configure static IP of AP mode',
    write: form(ipParams, (_ctx, wifi, args) => {
      wifi.softAp.setAddress(ipFromArgs(args));
      return 'OK';
    }),
  },
  {
    name: '+QSOFTAPSTOP',
    section: '2.1.21',
    summary: 'Disable AP mode',
    exec: async (_ctx, wifi) => {
      wifi.softAp.stop();
      await wifi.updateWebConfig();
      return 'OK';
    },
  },
  { name: '+QSTAAPINFO', section: '2.1.22', summary: 'Connect an AP hotspot', write: joinForm(false) },
  { name: '+QSTAAPINFODEF', section: '2.1.23', summary: 'Connect a hotspot and save it', saved: true, write: joinForm(true) },
  {
    // 2.1.24 (format per FIDELITY.md, no space); ERROR when not associated. RSSI in dBm (negative).
    name: '+QGETWIFISTATE',
    section: '2.1.24',
    summary: 'Query connected hotspot',
    exec: (ctx, wifi) => {
      const ap = wifi.station.ap;
      if (!ap) return 'ERROR';
      ctx.line(`+QGETWIFISTATE:ssid=${ap.ssid},bssid=${ap.bssid},rssi=${ap.rssi},channel=${ap.channel},cipher_type=${ap.security}`);
      return 'OK';
    },
  },
  {
    // 2.1.25, format observed on real modules (FIDELITY.md): quoted SSID, RSSI as a
    // positive magnitude, a space before the comma after the BSSID. Strongest first.
    // Nothing audible: `+QSTASTAT:SCAN_NO_AP` (hardware log) as a line of the response, then OK.
    name: '+QWSCAN',
    section: '2.1.25',
    summary: 'Query scanned hotspots',
    exec: async (ctx, wifi) => {
      const world = wifi.world;
      await world.wait(SCAN_MS);
      const aps = world.audible(wifi.host.mac);
      if (aps.length === 0) ctx.line('+QSTASTAT:SCAN_NO_AP');
      for (const ap of aps) {
        ctx.line(`+QWSCAN:"${ap.ssid}",${ap.security},${Math.abs(ap.rssi)},${ap.bssid} ,${ap.channel}`);
      }
      return 'OK';
    },
  },
  {
    // 2.1.26: saved; the page is served while this is on and the soft-AP is up. When the page
    // would start now and cannot (its host port taken), ERROR and the old setting stays.
    name: '+QWEBCFG',
    section: '2.1.26',
    summary: 'Enable/disable configuring Wi-Fi via web',
    saved: true,
    write: form([enable], async (_ctx, wifi, args) => {
      // ERROR takes the setting back (the registry reloads the saved settings).
      wifi.saved.value.webcfg = args.int('enable') === 1;
      return (await wifi.updateWebConfig()) ? 'OK' : 'ERROR';
    }),
  },
];
