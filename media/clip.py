"""Pre-encoded media: a synthetic VP8 clip and a track that plays it in real time.

Tests and the forwarding benchmark need a publisher that sends real VP8 at a
known rate without spending a core on encoding (which would compete with the
SFU on a small machine). The clip is encoded once with PyAV and cached.
"""

from __future__ import annotations

import asyncio
import struct
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

VIDEO_CLOCK = 90000
_MAGIC = b"NSVP8v1\n"


def encode_vp8_clip(
    width: int = 640,
    height: int = 480,
    fps: int = 30,
    seconds: float = 4.0,
    bitrate: int = 1_000_000,
    gop: int = 60,
) -> list[bytes]:
    """Encode moving synthetic frames to VP8; returns one bytes per frame.

    The picture has a moving gradient plus noise so the encoder really spends
    the target bitrate (a flat picture would compress to almost nothing).
    """
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height = width, height
    codec.pix_fmt = "yuv420p"
    codec.time_base = Fraction(1, fps)
    codec.framerate = Fraction(fps, 1)
    codec.bit_rate = bitrate
    codec.gop_size = gop
    codec.options = {
        "deadline": "realtime",
        "cpu-used": "8",
        "lag-in-frames": "0",
        "keyint_min": str(gop),
        "minrate": str(bitrate),
        "maxrate": str(bitrate),
        "b": str(bitrate),
    }
    rng = np.random.default_rng(7)
    yy, xx = np.mgrid[0:height, 0:width]
    frames: list[bytes] = []
    count = int(seconds * fps)
    for i in range(count):
        luma = ((xx + yy + 4 * i) % 256).astype(np.uint8)
        luma = (luma + rng.integers(0, 6, size=luma.shape, dtype=np.uint8)).astype(np.uint8)
        chroma = np.full((height // 2, width // 2), 128, dtype=np.uint8)
        frame = av.VideoFrame(width, height, "yuv420p")
        frame.planes[0].update(luma.tobytes())
        frame.planes[1].update(chroma.tobytes())
        frame.planes[2].update(chroma.tobytes())
        frame.pts = i
        for packet in codec.encode(frame):
            frames.append(bytes(packet))
    for packet in codec.encode(None):
        frames.append(bytes(packet))
    return frames


def save_clip(path: Path, frames: list[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as out:
        out.write(_MAGIC)
        for data in frames:
            out.write(struct.pack("!I", len(data)))
            out.write(data)
    tmp.replace(path)


def load_clip(path: Path) -> list[bytes]:
    raw = path.read_bytes()
    if not raw.startswith(_MAGIC):
        raise ValueError(f"{path} is not a clip file")
    frames, pos = [], len(_MAGIC)
    while pos < len(raw):
        (size,) = struct.unpack_from("!I", raw, pos)
        frames.append(raw[pos + 4 : pos + 4 + size])
        pos += 4 + size
    return frames


def cached_clip(directory: Path, **params: int | float) -> list[bytes]:
    """Load the clip for these parameters from ``directory``, encoding it once."""
    name = "vp8-" + "-".join(f"{k}{v}" for k, v in sorted(params.items())) + ".clip"
    path = directory / name
    if path.exists():
        return load_clip(path)
    frames = encode_vp8_clip(**params)  # type: ignore[arg-type]
    save_clip(path, frames)
    return frames


class EncodedVideoTrack(MediaStreamTrack):
    """Plays pre-encoded VP8 frames in real time, looping, as ``av.Packet``s.

    A keyframe request (PLI) makes the next frame the clip's next keyframe,
    as a camera encoder would; ``sent`` counts frames handed to the sender.
    """

    kind = "video"

    def __init__(self, frames: list[bytes], fps: int = 30) -> None:
        super().__init__()
        self.frames = frames
        self.fps = fps
        self.sent = 0
        self.keyframe_requests = 0
        self._keyframes = [i for i, f in enumerate(frames) if f and not (f[0] & 1)]
        self._index = 0
        self._start: float | None = None

    def request_keyframe(self) -> None:
        """Jump to the next keyframe of the clip (the publisher's answer to a PLI)."""
        self.keyframe_requests += 1
        later = [k for k in self._keyframes if k >= self._index]
        self._index = later[0] if later else (self._keyframes[0] if self._keyframes else 0)

    async def recv(self) -> av.Packet:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        due = self._start + self.sent / self.fps
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        data = self.frames[self._index % len(self.frames)]
        self._index = (self._index + 1) % len(self.frames)
        packet = av.Packet(data)
        packet.pts = self.sent * (VIDEO_CLOCK // self.fps)
        packet.time_base = Fraction(1, VIDEO_CLOCK)
        self.sent += 1
        return packet
