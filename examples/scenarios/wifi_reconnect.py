"""The code under test of wifi-recovery.yaml: joins Office, then waits: when the link drops
(+QSTASTAT:WLAN_DISCONNECTED) it waits for the module to rejoin by itself (GOT_IP) and checks
its address with AT+QGETIP=station."""
from uart import ModuleError, main


def run(uart):
    uart.command("AT+QSTAAPINFO=Office,correct-horse")
    uart.urc("+QSTASTAT:GOT_IP")
    first = uart.command("AT+QGETIP=station")[0]
    uart.urc("+QSTASTAT:WLAN_DISCONNECTED")
    print("link lost; waiting for the module to rejoin")
    uart.urc("+QSTASTAT:GOT_IP")
    again = uart.command("AT+QGETIP=station")[0]
    if again != first:
        raise ModuleError(f"address changed: {first} -> {again}")
    print("back with", again)


main(run)
