"""Kafka faults chosen by API key: the fault proxy reads the request frames of a plaintext
connection (size, then api_key, api_version, correlation_id) and faults only the requests of the
API keys the fault names, so that, say, the group calls fail while Metadata still answers.

  blackhole  the request is dropped: it is never answered (the client's own timeout ends it)
  slow       the request is held `delay_ms`, then sent
  garbage    the request is sent; its answer's body is replaced by noise (correlation id kept)
  refuse     the connection is closed when such a request comes
"""
from __future__ import annotations

import asyncio
import os
import struct


class FrameFilter:
    """Both directions of one client connection."""

    def __init__(self, target, client_writer: asyncio.StreamWriter):
        self.target = target
        self.client = client_writer
        self.spoiled: set[bytes] = set()   # correlation ids whose answer becomes noise

    async def requests(self, r: asyncio.StreamReader, upstream: asyncio.StreamWriter) -> None:
        try:
            async for frame in frames(r):
                api_key = struct.unpack(">h", frame[4:6])[0] if len(frame) >= 6 else -1
                mode = self.target.api_mode(api_key)
                if mode == "blackhole":
                    continue
                if mode == "refuse":
                    self.client.close()
                    upstream.close()
                    return
                if mode == "slow":
                    await asyncio.sleep(self.target.delay)
                if mode == "garbage" and len(frame) >= 12:
                    self.spoiled.add(frame[8:12])
                upstream.write(frame)
                await upstream.drain()
        except (OSError, ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            try:
                upstream.write_eof()
            except (OSError, RuntimeError):
                pass

    async def responses(self, r: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        try:
            async for frame in frames(r):
                correlation = frame[4:8]
                if correlation in self.spoiled:
                    self.spoiled.discard(correlation)
                    junk = b"\xde\xad\xbe\xef" + os.urandom(27)
                    frame = struct.pack(">i", 4 + len(junk)) + correlation + junk
                client.write(frame)
                await client.drain()
        except (OSError, ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            try:
                client.write_eof()
            except (OSError, RuntimeError):
                pass


async def frames(r: asyncio.StreamReader):
    """Whole frames (the 4-byte size included) until the stream ends."""
    while True:
        try:
            head = await r.readexactly(4)
        except asyncio.IncompleteReadError:
            return
        size = struct.unpack(">i", head)[0]
        if size < 0 or size > 64 << 20:
            raise ConnectionError(f"a Kafka frame of {size} bytes")
        yield head + await r.readexactly(size)
