"""The code under test of join-and-scan.yaml: joins the Office access point, then scans."""
import socket, sys

host, port = sys.argv[1].rsplit(":", 1)  # the module's UART over TCP, e.g. 127.0.0.1:40199
uart = socket.create_connection((host, int(port)), timeout=30)
pending = b""

def read_until(*tokens):
    """Reads until one of the tokens arrives; returns what came up to and including it."""
    global pending
    while not any(t in pending for t in tokens):
        chunk = uart.recv(1024) or sys.exit("the module closed the connection")
        pending += chunk
    end = min(pending.index(t) + len(t) for t in tokens if t in pending)
    seen, pending = pending[:end], pending[end:]
    return seen

def command(line):
    """Sends a command line, waits for its final result; exits unless it is OK."""
    uart.sendall(line.encode() + b"\r\n")
    reply = read_until(b"\r\nOK\r\n", b"\r\nERROR\r\n")
    return reply if reply.endswith(b"\r\nOK\r\n") else sys.exit(f"{line}: ERROR")

read_until(b"\r\nready\r\n")
command("AT+QSTAAPINFO=Office,correct-horse")
read_until(b"+QSTASTAT:GOT_IP\r\n")
aps = [l for l in command("AT+QWSCAN").split(b"\r\n") if l.startswith(b"+QWSCAN:")]
print(f"joined Office; {len(aps)} access points in range")
