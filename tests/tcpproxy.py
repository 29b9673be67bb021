#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 for the frozen-link tests.

usage: tcpproxy.py TARGET_PORT

Listens on a free port of 127.0.0.1, prints it on one line, and forwards
every connection to 127.0.0.1:TARGET_PORT.  Stopped with SIGSTOP it freezes
the link the way a dead network does: the kernel still accepts new
connections and buffers what is sent, but nothing is forwarded and
nothing comes back.  It exits on SIGTERM, or after 300 s at the most.
"""
import selectors
import socket
import sys
import time


def main():
    target = int(sys.argv[1])
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    print(lsock.getsockname()[1], flush=True)
    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ, None)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        for key, _ in sel.select(1):
            if key.data is None:
                client, _ = lsock.accept()
                server = socket.create_connection(("127.0.0.1", target))
                sel.register(client, selectors.EVENT_READ, server)
                sel.register(server, selectors.EVENT_READ, client)
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


if __name__ == "__main__":
    main()
