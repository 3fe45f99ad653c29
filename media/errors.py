"""Typed media errors, so the signaling layer can map each to one socket error code."""


class MediaError(Exception):
    """Base class of every error the media plane raises on purpose."""


class UnsupportedAiortcVersion(MediaError):
    """The installed aiortc is outside the range the receiver tap was written for.

    The tap reaches into aiortc internals; running it against an untested
    version could silently decode (or drop) every frame, so we refuse to start.
    """


class RouterClosed(MediaError):
    """The live session's router was closed (class ended or node draining)."""


class PeerNotFound(MediaError):
    """No transport exists for this participant in this router."""


class ProducerNotFound(MediaError):
    """No producer with this id exists in this router."""


class UnsupportedSource(MediaError):
    """A published m-section was labelled with an unknown source, or one that
    does not match its kind (a microphone must be audio, camera/screen video)."""


class NegotiationPending(MediaError):
    """A server offer is still waiting for the client's answer.

    aiortc cannot roll back a local offer, so a new offer is only made once the
    previous one is answered; the signaling layer retries after the answer.
    """


class UnexpectedAnswer(MediaError):
    """An SDP answer arrived for a recv transport with no offer outstanding
    (a duplicate or late answer from the client)."""
