// Child process for flash.test.ts: rewrites the flash file as fast as it can until killed.
// Each version n stores firmware "FW<n>" and a padding whose content is derived from n,
// so a reader can tell a whole version from a torn one.
import { Flash } from '../../src/device/flash.ts';

// It says `started` once version 1 is whole, so a kill on a loaded machine cannot come before any write.
const flash = Flash.open(process.argv[2]);
for (let n = 1; ; n++) {
  flash.update((f) => {
    f.system.firmware = `FW${n}`;
    f.pad = String(n).repeat(50_000);
  });
  if (n === 1) process.stdout.write('started\n');
}
