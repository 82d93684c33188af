"""The code under test of ble-central.yaml (manual 4.2.2, central role): starts BLE as a central,
scans until it hears the default world's heart-rate sensor HRM-1, connects to it, waits for its
characteristics, and disconnects."""
from uart import ModuleError, main


def run(uart):
    uart.command("AT+QBLEINIT=1")
    uart.command("AT+QBLESCAN=1,3000")  # stops by itself after 3 s
    while True:
        name, addr_type, addr = uart.urc("+QBLESCAN:").split(":", 1)[1].split(",")[:3]
        if name == "HRM-1":
            break
    uart.command("AT+QBLESCAN=0")
    uart.command(f"AT+QBLECONN={addr_type},{addr}")
    uart.urc("+QBLESTAT:CONNECTED")
    while True:
        handle, uuid = uart.urc("+QBLEINFO:").split(":")[1].split()
        if uuid == "2a37":  # the heart rate measurement
            break
    uart.command("AT+QBLEDISCONN")
    if uart.urc("+QBLESTAT:") != "+QBLESTAT:DISCONNECTED":
        raise ModuleError("no DISCONNECTED")
    print(f"HRM-1 at {addr}: heart rate measurement at handle {handle}")


main(run)
