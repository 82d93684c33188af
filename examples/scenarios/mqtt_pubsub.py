"""The code under test of mqtt-pubsub.yaml (manual 4.5): joins Office, connects to the default
world's broker, subscribes to its own topic, publishes a reading, takes it back in direct-push
mode (+QMTRECV), unsubscribes and disconnects."""
from uart import ModuleError, main

TOPIC = "sensors/office/temperature"


def expect(uart, prefix, want):
    got = uart.urc(prefix)
    if got != want:
        raise ModuleError(f"expected {want}, got {got}")


def run(uart):
    uart.command("AT+QSTAAPINFO=Office,correct-horse")
    uart.urc("+QSTASTAT:GOT_IP")
    uart.command('AT+QMTCFG="version",0,4')
    uart.command('AT+QMTOPEN=0,"broker.fc41d.local",1883')
    expect(uart, "+QMTOPEN:", "+QMTOPEN: 0,0")
    uart.command('AT+QMTCONN=0,"fc41d-example"')
    expect(uart, "+QMTCONN:", "+QMTCONN: 0,0,0")
    uart.command(f'AT+QMTSUB=0,1,"{TOPIC}",1')
    expect(uart, "+QMTSUB:", "+QMTSUB: 0,1,0,1")
    uart.command(f'AT+QMTPUB=0,2,1,0,"{TOPIC}",4,"21.5"')
    expect(uart, "+QMTPUB:", "+QMTPUB: 0,2,0")
    print(uart.urc("+QMTRECV:"))
    uart.command(f'AT+QMTUNS=0,3,"{TOPIC}"')
    expect(uart, "+QMTUNS:", "+QMTUNS: 0,3,0")
    uart.command("AT+QMTDISC=0")
    expect(uart, "+QMTDISC:", "+QMTDISC: 0,0")


main(run)
