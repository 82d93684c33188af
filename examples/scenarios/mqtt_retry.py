"""The code under test of mqtt-broker-outage.yaml: joins Office and opens an MQTT connection to
the default world's broker, retrying every 2 s while the broker refuses (+QMTOPEN: 0,<error>),
then connects and publishes that it is online."""
import time

from uart import ModuleError, main

ATTEMPTS = 10


def open_broker(uart):
    for _ in range(ATTEMPTS):
        uart.command('AT+QMTOPEN=0,"broker.fc41d.local",1883')
        result = uart.urc("+QMTOPEN:")
        if result == "+QMTOPEN: 0,0":
            return
        print(f"{result}: retrying in 2 s")
        time.sleep(2)  # a driver that retries at once floods the module (the checker's rapid-retry)
    raise ModuleError(f"no broker after {ATTEMPTS} attempts")


def run(uart):
    uart.command("AT+QSTAAPINFO=Office,correct-horse")
    uart.urc("+QSTASTAT:GOT_IP")
    open_broker(uart)
    uart.command('AT+QMTCONN=0,"fc41d-retry"')
    if uart.urc("+QMTCONN:") != "+QMTCONN: 0,0,0":
        raise ModuleError("MQTT connect refused")
    uart.command('AT+QMTPUB=0,0,0,0,"devices/fc41d-retry/status",6,"online"')
    uart.command("AT+QMTDISC=0")
    uart.urc("+QMTDISC:")


main(run)
