#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 for the frozen-link tests.

usage: tcpproxy.py TARGET_PORT [DELAY_MS [LISTEN_PORT]]

Listens on LISTEN_PORT of 127.0.0.1 (a free port when absent or 0),
prints it on one line, and forwards
every connection to 127.0.0.1:TARGET_PORT.  With DELAY_MS, every
connection after the first (a cancel request's, say) is held that long
before it is forwarded: a late cancel, on demand.  Stopped with SIGSTOP it freezes
the link the way a dead network does: the kernel still accepts new
connections and buffers what is sent, but nothing is forwarded and
nothing comes back.  Killed (SIGKILL), it cuts the link: both ends see
their connection closed; a new proxy on the same LISTEN_PORT mends it.
It exits on SIGTERM, or after 300 s at the most.
"""
import selectors
import socket
import sys
import time


def main():
    target = int(sys.argv[1])
    delay = int(sys.argv[2]) / 1000 if len(sys.argv) > 2 else 0
    listen = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    accepted = 0
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", listen))
    lsock.listen(16)
    print(lsock.getsockname()[1], flush=True)
    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ, None)
    pending = []                # (due, client): held connections
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        now = time.monotonic()
        for due, client in [p for p in pending if p[0] <= now]:
            pending.remove((due, client))
            connect(sel, client, target)
        wait = min([p[0] for p in pending], default=now + 1) - now
        for key, _ in sel.select(max(wait, 0.01)):
            if key.data is None:
                client, _ = lsock.accept()
                accepted += 1
                if accepted > 1 and delay > 0:
                    pending.append((time.monotonic() + delay, client))
                else:
                    connect(sel, client, target)
                continue
            try:
                data = key.fileobj.recv(65536)
            except OSError:
                data = b""
            if data:
                key.data.sendall(data)
                continue
            for s in (key.fileobj, key.data):
                try:
                    sel.unregister(s)
                except (KeyError, ValueError):
                    pass
                s.close()


def connect(sel, client, target):
    """Forward client to 127.0.0.1:target from now on."""
    server = socket.create_connection(("127.0.0.1", target))
    sel.register(client, selectors.EVENT_READ, server)
    sel.register(server, selectors.EVENT_READ, client)


if __name__ == "__main__":
    main()
