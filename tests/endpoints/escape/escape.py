"""Escape attempts of tests/endpoints/escape, each recorded in /logs/escape.txt as
"<what>: blocked (<why>)" or "<what>: SUCCEEDED". Network targets come from $HOME/targets
(lines "tcp|udp HOST PORT LABEL", written by tests/integration/chaos_isolation.sh); every try
is one connect or one datagram with a 1 s timeout. The file names carry the tag
$HOME/tag, so the test can look for them on the host."""
import ctypes
import os
import socket
import subprocess
import sys

home = os.environ.get("HOME", "/nonexistent")
role = os.environ.get("ROLE", "?")
try:
    tag = open(os.path.join(home, "tag")).read().strip()
except OSError:
    tag = "notag"
here = os.path.dirname(os.path.abspath(__file__))
lines = []


def record(what, ok, why=""):
    lines.append(f"{what}: {'SUCCEEDED' if ok else 'blocked (' + why + ')'}")


# the private tmpfs quire gives an isolated endpoint: a write there stays in the test bed
private = set()
for l in open("/proc/self/mountinfo"):
    f = l.split()
    if f[f.index("-") + 1] == "tmpfs" and f[4] in ("/tmp", "/var/tmp", "/dev/shm", "/run"):
        private.add(f[4])


def try_write(path):
    try:
        with open(path, "w") as f:
            f.write("escaped\n")
        d = os.path.dirname(path)
        if d in private:
            record(f"write {path}", False, "written into the endpoint's private tmpfs " + d)
        else:
            record(f"write {path}", True)
    except OSError as e:
        record(f"write {path}", False, e.strerror or str(e))


name = f"quire-escape-{tag}-{role}"
for d in ("/etc", "/tmp", "/var/tmp", "/dev/shm", "/root", home, here, "/www", "/certs", "/"):
    try_write(os.path.join(d, name))

# a host sysctl (the same value written back: harmless if it went through)
try:
    v = open("/proc/sys/kernel/domainname").read()
    with open("/proc/sys/kernel/domainname", "w") as f:
        f.write(v)
    record("write /proc/sys/kernel/domainname", True)
except OSError as e:
    record("write /proc/sys/kernel/domainname", False, e.strerror or str(e))

# mounts and namespaces: all need CAP_SYS_ADMIN
for what, argv in (
    ("remount / read-write", ["mount", "-o", "remount,rw", "/"]),
    ("remount /www read-write", ["mount", "-o", "remount,rw", "/www"]),
    ("unmount the private /tmp", ["umount", "/tmp"]),
    ("mount a tmpfs", ["mount", "-t", "tmpfs", "none", "/mnt"]),
    ("a new mount namespace", ["unshare", "-m", "true"]),
):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=5)
        err = [l.strip() for l in r.stderr.splitlines() if l.strip()]
        record(what, r.returncode == 0, err[0] if err else f"exit {r.returncode}")
    except (OSError, subprocess.TimeoutExpired) as e:
        record(what, False, str(e))

# the host's network namespaces and unix sockets
netns = sorted(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else []
record("see the host's /run/netns", bool(netns), "empty or hidden")
libc = ctypes.CDLL(None, use_errno=True)
# only the init's own namespace: joining another run's (seen when isolation is off) could
# disturb that run
for ns in ["/proc/1/ns/net"]:
    try:
        fd = os.open(ns, os.O_RDONLY)
        ok = libc.setns(fd, 0x40000000) == 0  # CLONE_NEWNET
        err = os.strerror(ctypes.get_errno())
        os.close(fd)
        record(f"setns {ns}", ok, err)
    except OSError as e:
        record(f"setns {ns}", False, e.strerror or str(e))
for sock in ("/run/docker.sock", "/var/run/docker.sock", "/run/dbus/system_bus_socket"):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(1)
        s.connect(sock)
        s.close()
        record(f"connect {sock}", True)
    except OSError as e:
        record(f"connect {sock}", False, e.strerror or str(e))

# host addresses
try:
    targets = [l.split() for l in open(os.path.join(home, "targets")) if l.strip()]
except OSError:
    targets = []
for proto, host, port, label in targets:
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    what = f"{proto} {label} {host}:{port}"
    try:
        s = socket.socket(fam, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
        s.settimeout(1)
        if proto == "tcp":
            s.connect((host, int(port)))
            s.sendall(f"escape {tag} {role}\n".encode())
            record(what, True)
        else:
            s.sendto(f"escape {tag} {role}\n".encode(), (host, int(port)))
            record(what + " (sent; the host counts arrivals)", False, "sent")
        s.close()
    except OSError as e:
        record(what, False, e.strerror or str(e))

# capabilities: QIR's containers get Docker's default set plus NET_ADMIN
for l in open("/proc/self/status"):
    if l.startswith(("CapEff", "CapBnd")):
        lines.append(l.strip())
with open("/logs/escape.txt", "w") as f:
    f.write("\n".join(lines) + "\n")
print(f"escape: {role} tried {len(lines) - 2} things, see /logs/escape.txt", flush=True)
sys.exit(1)
