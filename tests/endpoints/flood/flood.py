"""The flood of tests/endpoints/flood: 1200-byte datagrams to server4:443, bounded in time and
count; counts what the kernel accepted and what it refused (a full socket buffer)."""
import os
import socket
import sys
import time

SECONDS, MAX = float(os.environ.get("QUIRE_FLOOD_SECONDS", "5")), 3_000_000
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setblocking(False)
s.connect(("198.19.0.100", 443))  # server4 of the test bed
payload = os.urandom(1200)
sent = refused = 0
start = time.monotonic()
for i in range(MAX):
    if (i & 1023) == 0 and time.monotonic() - start > SECONDS:
        break
    try:
        s.send(payload)
        sent += 1
    except (BlockingIOError, ConnectionRefusedError, OSError):
        refused += 1
took = time.monotonic() - start
print(f"flood: sent {sent} datagrams ({sent * 1200 / took / 1e6:.1f} MB/s), {refused} refused, "
      f"in {took:.1f} s", flush=True)
sys.exit(1)
