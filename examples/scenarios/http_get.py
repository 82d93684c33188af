"""The code under test of http-get.yaml (manual 4.6): joins Office, sets the URL of the default
world's HTTP test service, sends a GET, and reads the answer's body with AT+QHTTPREAD."""
import json

from uart import ModuleError, main


def run(uart):
    uart.command("AT+QSTAAPINFO=Office,correct-horse")
    uart.urc("+QSTASTAT:GOT_IP")
    uart.command('AT+QHTTPCFG="url","http://httpbin.fc41d.local/get?sensor=office"')
    uart.command("AT+QHTTPGET=60")
    result = uart.urc("+QHTTPGET:").split(":")[1].strip().split(",")  # 0,<status>,<length>
    if result[:2] != ["0", "200"] or len(result) < 3:
        raise ModuleError(f"GET failed: {result}")
    uart.begin("AT+QHTTPREAD=60")
    if uart.read_line() != "CONNECT":
        raise ModuleError("AT+QHTTPREAD: no CONNECT")
    body = uart.read_exact(int(result[2]))
    uart.finish("AT+QHTTPREAD=60")
    if uart.urc("+QHTTPREAD:") != "+QHTTPREAD: 0":
        raise ModuleError("AT+QHTTPREAD did not end well")
    print("httpbin saw", json.loads(body)["args"])


main(run)
