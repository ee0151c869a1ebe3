"""The fork bomb of tests/endpoints/forkbomb: 10,000 fork attempts at most, 20 s at most."""
import os
import sys
import time

made = refused = 0
start = time.monotonic()
for i in range(10000):
    if time.monotonic() - start > 20:
        break
    try:
        pid = os.fork()
    except OSError as e:  # EAGAIN at the pids limit
        refused += 1
        continue
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    made += 1
print(f"forkbomb: {os.environ.get('ROLE')} forked {made}, {refused} refused "
      f"in {time.monotonic() - start:.1f} s", flush=True)
sys.exit(1)
