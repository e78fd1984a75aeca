#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A hostile Modbus/TCP server (docs/reliability.md T32) for tests/faults/test_modbus_hostile.sh.

It answers read holding/input registers requests (function 3 or 4) framed as the Modbus
Messaging on TCP/IP Implementation Guide v1.0b, section 3.1.3 (MBAP header: transaction id,
protocol id 0, length of what follows, unit id), going through a fixed plan: two good replies, then
three replies of one hostile kind (two of a slow one), then the next kind, once round the list; then good replies
only. A good reply carries HR (register 0) = 60 + the number of hostile kinds sent before it (so a
test sees the client recover after each kind) and SpO2 (register 1) = 97; every hostile reply that
carries registers carries the marker values HR 222 and SpO2 44, which must never be stored. After
a slow kind (endless, drip, late) the requests that queued up meanwhile are dropped unanswered,
as a device that restarts would: their client has given up on them.

    hostile_modbus_server.py PORTFILE STATSFILE

Listens on a free 127.0.0.1 port and writes its number to PORTFILE; after every request it
rewrites STATSFILE as one line "good=N KIND=N ... done=0|1" (done: the plan has run through).
"""
import os
import random
import socket
import struct
import sys
import threading
import time

KINDS = [
    "wrong_tid",     # the transaction id of another request
    "wrong_unit",    # another unit id
    "wrong_proto",   # protocol id 1
    "wrong_fc",      # function 4 for a function 3 request (and the other way round)
    "len_long",      # MBAP length 10 bytes past the frame
    "len_short",     # MBAP length 2 bytes short
    "len_huge",      # MBAP length 0xffff, then a little garbage
    "count_past",    # byte count 250 with 2 registers of data
    "count_odd",     # byte count 3 with 2 registers of data
    "truncated",     # half a frame, then nothing
    "exception_odd", # exception response with the undefined code 0x37
    "empty_pdu",     # MBAP length 1: a unit id and no function code
    "endless",       # random bytes for 1 s, no reply
    "drip",          # half a marker reply, one byte every 250 ms, then nothing
    "late",          # a marker reply 400 ms late, after the client's timeout
]
GOOD_BETWEEN = 2
SLOW = ("endless", "drip", "late")
BAD_RUN = 3
PLAN = []  # (kind, phase): phase = how many hostile kinds came before
for i, kind in enumerate(KINDS):
    PLAN += [("good", i)] * GOOD_BETWEEN + [(kind, i + 1)] * (BAD_RUN - (kind in SLOW))
PLAN += [("good", len(KINDS))] * GOOD_BETWEEN

lock = threading.Lock()
counts = {k: 0 for k in ["good"] + KINDS}
state = {"n": 0}


def write_stats(path):
    done = int(state["n"] >= len(PLAN))
    line = " ".join(f"{k}={v}" for k, v in counts.items()) + f" done={done}\n"
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(line)
    os.replace(tmp, path)


def adu(tid, unit, pdu, proto=0, length=None):
    return struct.pack(">HHHB", tid, proto, len(pdu) + 1 if length is None else length, unit) + pdu


def regs_pdu(fc, count, hr, spo2):
    values = [hr, spo2] + [0] * max(0, count - 2)
    return struct.pack(">BB", fc, 2 * count) + b"".join(struct.pack(">H", v) for v in values[:count])


def reply(conn, kind, phase, tid, unit, fc, count):
    marker = regs_pdu(fc, count, 222, 44)
    if kind == "good":
        conn.sendall(adu(tid, unit, regs_pdu(fc, count, 60 + phase, 97)))
    elif kind == "wrong_tid":
        conn.sendall(adu(tid ^ 0x5A5A, unit, marker))
    elif kind == "wrong_unit":
        conn.sendall(adu(tid, (unit + 1) % 256, marker))
    elif kind == "wrong_proto":
        conn.sendall(adu(tid, unit, marker, proto=1))
    elif kind == "wrong_fc":
        conn.sendall(adu(tid, unit, regs_pdu(7 - fc, count, 222, 44)))
    elif kind == "len_long":
        conn.sendall(adu(tid, unit, marker, length=len(marker) + 11))
    elif kind == "len_short":
        conn.sendall(adu(tid, unit, marker, length=len(marker) - 1))
    elif kind == "len_huge":
        conn.sendall(adu(tid, unit, marker, length=0xFFFF) + os.urandom(40))
    elif kind == "count_past":
        conn.sendall(adu(tid, unit, bytes([fc, 250]) + marker[2:]))
    elif kind == "count_odd":
        conn.sendall(adu(tid, unit, bytes([fc, 3]) + marker[2:]))
    elif kind == "truncated":
        frame = adu(tid, unit, marker)
        conn.sendall(frame[: len(frame) // 2])
    elif kind == "exception_odd":
        conn.sendall(adu(tid, unit, bytes([fc | 0x80, 0x37])))
    elif kind == "empty_pdu":
        conn.sendall(adu(tid, unit, b""))
    elif kind == "endless":
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            conn.sendall(os.urandom(512))
            time.sleep(0.005)
    elif kind == "drip":
        frame = adu(tid, unit, marker)  # never completed: a complete frame, however slow, is valid
        for b in frame[: len(frame) // 2]:
            conn.sendall(bytes([b]))
            time.sleep(0.25)
    elif kind == "late":
        time.sleep(0.4)
        conn.sendall(adu(tid, unit, marker))


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf


def drop_pending(conn):
    conn.setblocking(False)
    try:
        while conn.recv(4096):
            pass
    except BlockingIOError:
        pass
    finally:
        conn.setblocking(True)


def serve(conn, stats_path):
    with conn:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            tid, proto, length, unit = struct.unpack(">HHHB", recv_exact(conn, 7))
            pdu = recv_exact(conn, length - 1) if 1 < length < 260 else b""
            if proto != 0 or len(pdu) != 5 or pdu[0] not in (3, 4):
                return  # not a request this client sends: hang up
            count = struct.unpack(">H", pdu[3:5])[0]
            if not 1 <= count <= 125:
                return
            with lock:
                kind, phase = PLAN[state["n"]] if state["n"] < len(PLAN) else ("good", len(KINDS))
                state["n"] += 1
                counts[kind] += 1
                write_stats(stats_path)
            reply(conn, kind, phase, tid, unit, pdu[0], count)
            if kind in SLOW:
                drop_pending(conn)


def client(conn, stats_path):
    try:
        serve(conn, stats_path)
    except (ConnectionError, OSError):
        pass  # the client hung up (it may, after a hostile reply)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: hostile_modbus_server.py PORTFILE STATSFILE")
    random.seed(32)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    with lock:
        write_stats(sys.argv[2])
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(f"{srv.getsockname()[1]}\n")
    os.replace(sys.argv[1] + ".tmp", sys.argv[1])
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=client, args=(conn, sys.argv[2]), daemon=True).start()


if __name__ == "__main__":
    main()
