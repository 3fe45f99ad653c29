"""newSSEM media plane: a selective forwarding unit (SFU) built on aiortc.

The SFU forwards encoded media (VP8, H.264, Opus) from each publisher to every
subscriber without decoding it, so one server core carries a whole classroom.
The object model follows mediasoup: a :class:`Router` per live session owns the
peers' transports, their :class:`Producer` objects (published tracks) and the
:class:`Consumer` objects (one subscriber's view of one producer).
"""

from media.config import MediaConfig
from media.consumer import Consumer
from media.errors import (
    MediaError,
    NegotiationPending,
    PeerNotFound,
    ProducerNotFound,
    RouterClosed,
    UnexpectedAnswer,
    UnsupportedAiortcVersion,
    UnsupportedSource,
)
from media.producer import Producer, ProducerInfo
from media.router import Router
from media.service import MediaService
from media.turn import ice_servers, turn_credentials

__all__ = [
    "Consumer",
    "MediaConfig",
    "MediaError",
    "MediaService",
    "NegotiationPending",
    "PeerNotFound",
    "Producer",
    "ProducerInfo",
    "ProducerNotFound",
    "Router",
    "RouterClosed",
    "UnexpectedAnswer",
    "UnsupportedAiortcVersion",
    "UnsupportedSource",
    "ice_servers",
    "turn_credentials",
]
