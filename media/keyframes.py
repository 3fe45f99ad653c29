"""Keyframe detection on encoded frames, per codec.

A consumer that dropped frames must skip ahead to a frame the browser can
decode on its own; for audio every frame qualifies.
"""

from __future__ import annotations

_H264_IDR = 5
_H264_SPS = 7


def is_keyframe(codec_name: str, data: bytes) -> bool:
    """True if ``data`` (one complete encoded frame) starts a decodable sequence."""
    name = codec_name.upper()
    if name == "VP8":
        # RFC 6386 section 9.1: bit 0 of the frame tag is 0 for a key frame.
        return len(data) > 0 and not (data[0] & 0x01)
    if name == "H264":
        return _h264_has_idr(data)
    return True  # audio codecs: every frame stands alone


def _h264_has_idr(data: bytes) -> bool:
    """Scan Annex B start codes (as aiortc's depayloader emits) for an IDR or SPS."""
    pos = data.find(b"\x00\x00\x01")
    while pos != -1 and pos + 3 < len(data):
        nal_type = data[pos + 3] & 0x1F
        if nal_type in (_H264_IDR, _H264_SPS):
            return True
        pos = data.find(b"\x00\x00\x01", pos + 3)
    return False
