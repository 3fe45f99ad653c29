"""Incoming event payloads: one pydantic model per client event, nothing else accepted.

Extra fields are refused so that a client cannot smuggle identity (``user_id`` of the sender,
a role) into an event; identity only ever comes from the authenticated connection.
"""

from __future__ import annotations

from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from lms.errors import InvalidInput

ClientId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
PositiveId = Annotated[int, Field(gt=0)]


class Payload(BaseModel):
    """Base of every incoming payload: strict types, unknown fields rejected."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


P = TypeVar("P", bound=Payload)


class JoinPayload(Payload):
    session_id: PositiveId
    last_seq: Annotated[int, Field(ge=0)] | None = None
    # The tab's own random id, kept across its reconnects, so a returning tab gets back what
    # it had (a teacher's visit to a breakout group).
    tab_id: ClientId | None = None


class LeavePayload(Payload):
    pass


class ChatSendPayload(Payload):
    client_id: ClientId
    # The length limit is the node's setting, checked in ``chat_body`` after stripping.
    body: str


class HandRaisePayload(Payload):
    client_id: ClientId


class HandLowerPayload(Payload):
    client_id: ClientId
    user_id: PositiveId | None = None


class RemovePayload(Payload):
    client_id: ClientId
    user_id: PositiveId


class LowerAllHandsPayload(Payload):
    client_id: ClientId



# -- media (server.live.media_signaling) ---------------------------------------------------

# A browser's SDP for a few tracks is a few kilobytes; a class's subscriber offer grows with
# every producer, and answers mirror it. Anything far beyond that is not a browser.
SDP_MAX_CHARS = 200_000
MediaSource = Literal["camera", "microphone", "screen"]
Mid = Annotated[str, StringConstraints(min_length=1, max_length=32)]
ProducerId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class SessionDescription(Payload):
    type: Literal["offer", "answer"]
    sdp: Annotated[str, StringConstraints(min_length=1, max_length=SDP_MAX_CHARS)]


class MediaConfigPayload(Payload):
    pass


class MediaPublishPayload(Payload):
    offer: SessionDescription
    # Only the m-sections the browser is sending on; at most a handful per tab.
    sources: Annotated[dict[Mid, MediaSource], Field(max_length=16)]


class MediaSubscribePayload(Payload):
    pass


class MediaAnswerPayload(Payload):
    answer: SessionDescription


class MediaProducerPayload(Payload):
    producer_id: ProducerId


class MutePayload(Payload):
    user_id: PositiveId
    source: MediaSource


class AllowPayload(Payload):
    allowed: bool

def parse(model: type[P], data: object) -> P:
    """Validate one event's data, turning any problem into ``invalid_input``."""
    if data is None and not model.model_fields:
        data = {}
    if not isinstance(data, dict):
        raise InvalidInput("the event payload must be an object")
    try:
        return model.model_validate(data)
    except ValueError as error:
        problems = [
            {"field": ".".join(str(p) for p in item["loc"]), "problem": item["msg"]}
            for item in getattr(error, "errors", lambda: [])()
        ]
        raise InvalidInput("malformed event payload", problems=problems) from None


def chat_body(body: str, max_chars: int) -> str:
    """The message as stored: stripped, 1..``max_chars`` characters."""
    text = body.strip()
    if not text:
        raise InvalidInput("the message is empty")
    if len(text) > max_chars:
        raise InvalidInput(f"the message is longer than {max_chars} characters",
                           max_chars=max_chars)
    return text
