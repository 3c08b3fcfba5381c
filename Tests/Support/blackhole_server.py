"""Accepts connections, reads what comes, never answers: a black-holed endpoint.

Usage: blackhole_server.py PORT
"""
import socket
import sys
import threading

listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", int(sys.argv[1])))
listener.listen(64)


def hold(connection):
    while connection.recv(65536):
        pass


while True:
    connection, _ = listener.accept()
    threading.Thread(target=hold, args=(connection,), daemon=True).start()
