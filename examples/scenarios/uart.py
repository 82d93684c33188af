"""A small AT driver over the emulated module's UART (a TCP socket), shared by the example hosts.

It does what a careful firmware driver does, so the examples pass `fc41d test --check strict`:
waits for `ready`, sends one command at a time and waits for its final result, ends every line
with CR LF, sends counted data only after the prompt, and keeps URCs that arrive between
commands for `urc()`. It relies on echo being on (the factory setting): the lines before a
command's echo are URCs, the lines after it up to the final result are the response.
"""
import socket
import sys

FINAL = ("OK", "ERROR", "SEND OK", "SEND FAIL")


class ModuleError(Exception):
    pass


class Uart:
    def __init__(self, address, timeout=30):
        host, port = address.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.pending = b""
        self.urcs = []  # URC lines received and not yet asked for

    def _fill(self):
        chunk = self.sock.recv(4096)
        if not chunk:
            raise ModuleError("the module closed the connection")
        self.pending += chunk

    def read_until(self, token):
        """Bytes up to and including token."""
        while token not in self.pending:
            self._fill()
        end = self.pending.index(token) + len(token)
        seen, self.pending = self.pending[:end], self.pending[end:]
        return seen

    def read_exact(self, n):
        while len(self.pending) < n:
            self._fill()
        seen, self.pending = self.pending[:n], self.pending[n:]
        return seen

    def read_line(self):
        """The next non-empty line, without its CR LF (bytes as latin-1 text)."""
        while True:
            line = self.read_until(b"\r\n")[:-2].decode("latin-1")
            if line:
                return line

    def wait_ready(self):
        while self.read_line() != "ready":
            pass

    def begin(self, line):
        """Sends a command line and reads up to its echo (the lines before it are URCs)."""
        self.sock.sendall(line.encode("latin-1") + b"\r\n")
        while True:
            got = self.read_line()
            if got == line:
                return
            self.urcs.append(got)

    def finish(self, line):
        """Reads the rest of a command's response: its lines up to the final result."""
        response = []
        while True:
            reply = self.read_line()
            if reply in FINAL:
                break
            response.append(reply)
        if reply in ("ERROR", "SEND FAIL"):
            raise ModuleError(f"{line}: {reply}")
        return response

    def command(self, line, data=None):
        """Sends a command; returns its response lines. With data: sends it after the `> ` prompt."""
        self.begin(line)
        if data is not None:
            self.read_until(b"> ")
            self.sock.sendall(data)
        return self.finish(line)

    def urc(self, prefix):
        """The first URC starting with prefix (waiting for it); URCs before it are dropped."""
        while True:
            while self.urcs:
                line = self.urcs.pop(0)
                if line.startswith(prefix):
                    return line
            self.urcs.append(self.read_line())

    def close(self):
        self.sock.close()


def main(run):
    """Runs run(uart) against the module named by argv[1]; a ModuleError exits 1 with its message."""
    uart = Uart(sys.argv[1])
    try:
        uart.wait_ready()
        run(uart)
    except ModuleError as e:
        sys.exit(f"host: {e}")
    finally:
        uart.close()
