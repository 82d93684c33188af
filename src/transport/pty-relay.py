#!/usr/bin/env python3
"""Fallback PTY bridge for when socat is missing: pty-relay.py LINK

Creates a raw pty, symlinks its slave at LINK, and relays bytes unchanged between
the pty master and stdin/stdout. Exits when stdin closes (or on SIGTERM/SIGHUP/SIGINT),
removing the symlink.
"""
import os
import select
import signal
import sys
import tty


def write_all(fd, data):
    while data:
        data = data[os.write(fd, data):]


def main():
    link = sys.argv[1]
    master, slave = os.openpty()
    tty.setraw(slave)  # cfmakeraw: no echo, no line editing, no CR/NL mapping, no XON/XOFF
    # Keep our own slave fd open for the relay's lifetime: with no slave open, the
    # master reads EIO / polls HUP after a host closes. Held open, hosts can close
    # and reopen the device freely, and termios settings persist between opens.
    name = os.ttyname(slave)

    tmp = f"{link}.{os.getpid()}.tmp"
    os.symlink(name, tmp)
    os.replace(tmp, link)  # atomic, replaces a stale link

    def stop(_signum, _frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        stdin, stdout = sys.stdin.fileno(), sys.stdout.fileno()
        while True:
            ready, _, _ = select.select([stdin, master], [], [])
            if stdin in ready:
                data = os.read(stdin, 65536)
                if not data:
                    return
                # Blocks when the pty buffer is full (no host reading); the caller
                # then buffers, as it would for socat.
                write_all(master, data)
            if master in ready:
                write_all(stdout, os.read(master, 65536))
    except BrokenPipeError:  # our reader went away
        pass
    finally:
        try:
            if os.readlink(link) == name:
                os.unlink(link)
        except OSError:
            pass


if __name__ == "__main__":
    main()
