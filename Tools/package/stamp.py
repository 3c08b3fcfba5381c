"""Writes a version stamp into a built lookout binary: the 64 bytes of filler after the marker
`@(#)lookout-stamp:` (Sources/lookout/BuildStamp.swift) become the text, padded with spaces.
The binary keeps its length; the field must be found exactly once.

usage: stamp.py BINARY TEXT
"""
import sys

MARKER = b"@(#)lookout-stamp:"
FILLER = b"." * 64

path, text = sys.argv[1], sys.argv[2].encode()
if len(text) > 64 or not all(0x20 <= b < 0x7F for b in text):
    sys.exit(f"stamp.py: the stamp must be at most 64 printable ASCII bytes: {text!r}")
data = bytearray(open(path, "rb").read())
where = data.find(MARKER + FILLER)
if where < 0 or data.find(MARKER + FILLER, where + 1) >= 0:
    sys.exit(f"stamp.py: {path} does not hold the unstamped field exactly once")
start = where + len(MARKER)
data[start:start + 64] = text.ljust(64, b" ")
with open(path, "r+b") as f:
    f.write(data)
