#!/usr/bin/env python3
"""pty_run.py OUT ERR CMD...: runs CMD with stderr on a pseudo-terminal (as
on an operator's terminal, TERM as in the environment) and stdout to the
file OUT; what the terminal received goes to the file ERR, byte for byte.
Exits with CMD's status."""
import os
import pty
import subprocess
import sys

out_path, err_path, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
master, slave = pty.openpty()
with open(out_path, "wb") as out:
    child = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=slave)
os.close(slave)
received = bytearray()
while True:
    try:
        data = os.read(master, 65536)
    except OSError:  # EIO: the child closed the terminal's last descriptor
        break
    if not data:
        break
    received += data
os.close(master)
with open(err_path, "wb") as err:
    err.write(received)
sys.exit(child.wait())
