"""The code under test of tcp-client.yaml (manual 4.3.2, buffer access mode): joins Office, opens
a TCP connection to httpbin.fc41d.local:80, sends an HTTP request with the prompt form of
AT+QISEND, reads the answer with AT+QIRD until the buffer is empty, and closes the socket."""
from uart import main

REQUEST = b"GET /get?from=fc41d HTTP/1.1\r\nHost: httpbin.fc41d.local\r\nConnection: close\r\n\r\n"


def read_socket(uart, conn):
    """Everything buffered for socket conn: AT+QIRD until it answers +QIRD:0."""
    data = b""
    while True:
        line = f"AT+QIRD={conn},1500"
        uart.begin(line)
        n = int(uart.read_line().split(":")[1])
        if n > 0:
            uart.read_exact(2)  # the data is framed as a line of its own
            data += uart.read_exact(n)
        uart.finish(line)
        if n == 0:
            return data


def run(uart):
    uart.command("AT+QSTAAPINFO=Office,correct-horse")
    uart.urc("+QSTASTAT:GOT_IP")
    uart.command('AT+QIOPEN=0,"TCP","httpbin.fc41d.local",80,0,0')
    if uart.urc("+QIOPEN:") != "+QIOPEN: 0,0":
        raise SystemExit("host: the connection failed")
    uart.command(f"AT+QISEND=0,{len(REQUEST)}", data=REQUEST)
    answer = b""
    while not answer.endswith(b"}\n"):  # httpbin's JSON ends with a newline
        uart.urc('+QIURC: "recv",0')
        answer += read_socket(uart, 0)
    uart.command("AT+QICLOSE=0")
    print(answer.split(b"\r\n")[0].decode())


main(run)
