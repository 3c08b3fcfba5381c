"""A listening socket that never accepts, its accept queue filled: a TCP connect to it hangs.

Usage: full_backlog_server.py PORT
Linux drops a SYN for a listener whose accept queue is full, so the client's connect waits
(SYN retransmits) until its own timeout: the connect phase times out, not the transfer.
Prints "ready" once the queue is full.
"""
import socket
import sys
import time

port = int(sys.argv[1])
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", port))
listener.listen(0)
held = []
# Fill the queue: connects succeed until it is full, then one stays pending.
for _ in range(8):
    client = socket.socket()
    client.setblocking(False)
    client.connect_ex(("127.0.0.1", port))
    held.append(client)
time.sleep(0.5)
print("ready", flush=True)
while True:
    time.sleep(3600)
