"""Small real files for tests, made in code: PDFs with numbered pages, a PNG, media heads."""

from __future__ import annotations

import io

from fpdf import FPDF
from PIL import Image


def pdf_bytes(pages: int = 2) -> bytes:
    """An A4 PDF whose pages say "Page 1", "Page 2"…, each with a coloured band."""
    pdf = FPDF(format="A4")
    pdf.set_font("helvetica", size=48)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.set_fill_color(40 * number % 255, 120, 200)
        pdf.rect(20, 20, 170, 40, style="F")
        pdf.text(60, 120, f"Page {number}")
    return bytes(pdf.output())


def png_bytes(width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 160, 90)).save(buffer, "PNG")
    return buffer.getvalue()


# The first bytes of an MP4 (ftyp box) followed by padding: typed as video by content.
MP4_BYTES = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 2048
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 2048
BROKEN_PDF = b"%PDF-1.7\n" + b"this is not really a pdf\n" * 40


def webm_bytes(seconds: int = 10, fps: int = 10) -> bytes:
    """A small VP8 WebM a browser plays: a grey ramp, 64x48, ``seconds`` long."""
    import av
    import numpy as np

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="webm") as container:
        stream = container.add_stream("libvpx", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for index in range(seconds * fps):
            frame = np.full((48, 64, 3), (index * 2) % 255, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()
