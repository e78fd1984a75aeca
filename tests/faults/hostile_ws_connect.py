#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""An MQTT 3.1.1 CONNECT over WebSocket (RFC 6455, subprotocol "mqtt"), as a dashboard would
send it, with or without a user name and password; prints the CONNACK return code (MQTT 3.1.1
section 3.2.2.3: 0 accepted, 4 bad user name or password, 5 not authorised) and exits 0 when
one came back, 1 otherwise. Used by tests/faults/test_broker_auth.sh for the websockets
listener, which mosquitto_sub cannot reach.

    hostile_ws_connect.py HOST PORT [USER PASSWORD]
"""
import base64
import os
import socket
import struct
import sys


def mqtt_string(s):
    b = s.encode()
    return struct.pack(">H", len(b)) + b


def connect_packet(user, password):
    flags = 0x02  # clean session
    payload = mqtt_string("vsd-anon-probe")
    if user is not None:
        flags |= 0xC0
        payload += mqtt_string(user) + mqtt_string(password)
    var = mqtt_string("MQTT") + bytes([4, flags]) + struct.pack(">H", 30)
    body = var + payload
    return bytes([0x10, len(body)]) + body  # body < 128 bytes: one length byte


def ws_frame(data):
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
    return bytes([0x82, 0x80 | len(data)]) + mask + masked


def recv_some(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf


def main():
    if len(sys.argv) not in (3, 5):
        sys.exit("usage: hostile_ws_connect.py HOST PORT [USER PASSWORD]")
    host, port = sys.argv[1], int(sys.argv[2])
    user, password = (sys.argv[3], sys.argv[4]) if len(sys.argv) == 5 else (None, None)
    sock = socket.create_connection((host, port), timeout=5)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /mqtt HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                  "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += recv_some(sock, 1)
    if b" 101 " not in head.split(b"\r\n")[0]:
        print("no websocket upgrade:", head.split(b"\r\n")[0].decode(errors="replace"))
        return 1
    sock.sendall(ws_frame(connect_packet(user, password)))
    try:
        hdr = recv_some(sock, 2)
        n = hdr[1] & 0x7F
        data = recv_some(sock, n)
    except (ConnectionError, socket.timeout):
        print("closed without CONNACK")
        return 1
    if len(data) < 4 or data[0] != 0x20:
        print("not a CONNACK:", data.hex())
        return 1
    print(f"connack {data[3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
