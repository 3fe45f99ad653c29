"""Media signaling for namespace ``/class``: the bridge between socket events and the SFU.

The namespace validates and authenticates every ``media:*`` / media ``moderation:*`` event and
hands it here. This module owns the node's ``MediaService`` and, per live session hosted on
this node, the participants' media peers (peer id = socket id: one browser tab is one peer) and
the renegotiation bookkeeping, and it applies the class's media rules (student cameras and
screens, teachers' mutes). The rules are stored in the LMS, not here (``server.live.media_rules``):
a class that starts on a node after a restart, or moves to it, comes back with every mute.

Renegotiation: each peer has a send transport (the browser offers, the SFU answers in the
``media:publish`` ack) and a recv transport (the SFU offers with ``media:offer``, the browser
answers with ``media:answer``). aiortc cannot roll back an offer, so while one awaits its answer
``Router.subscribe`` raises ``NegotiationPending``; the peer is then flagged and re-offered as
soon as the answer arrives. Any number of publishes during one round trip cost one re-offer.

Whether a producer is paused is derived, never toggled blindly: it is paused while it has any
*hold* - ``self`` (the participant turned it off), ``moderator`` (a teacher muted that person's
source) or ``policy`` (student cameras or screens not allowed). A teacher lifting a mute thus
never switches on a microphone the student had turned off. Only ``self`` is kept in memory: a
tab that reconnects publishes anew and its owner switches the source on or off again.

Breakout groups: each group of a session has a Router of its own, keyed by the room key
(session id, group id); group None is the main room. A tab publishes to and receives from the
router of the room it is *placed* in (``placement``, set by the breakouts tool through
``move_peer``); moving closes the tab's media in the old room and the client renegotiates in
the new one. The class's rules (mutes, camera policy) stay per session and follow people into
their groups.

Multi-node: a session's Router lives on the node holding its participants' sockets. nginx
routes every socket of one session to one node (``hash $arg_session_id``), so no peer of a
session is ever on another node; this module never looks beyond its own node.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiortc import sdp as aiortc_sdp
from aiortc.exceptions import InvalidAccessError, InvalidStateError

from lms.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from lms.services import media_holds
from lms.services.media_holds import MediaRules
from media import (
    MediaConfig,
    MediaError,
    MediaService,
    NegotiationPending,
    PeerNotFound,
    ProducerInfo,
    ProducerNotFound,
    RouterClosed,
    UnsupportedSource,
)
from server import keys
from server.live import payloads as p
from server.live.media_rules import ClassMediaRules
from server.live.rooms import group_room, session_room
from server.settings import Settings

if TYPE_CHECKING:
    from server.live.namespace import ClassNamespace, Connection

log = logging.getLogger(__name__)

Ack = dict[str, Any]

MEDIA = web.AppKey("media", MediaService)

RoomKey = tuple[int, int | None]  # (session id, breakout group id or None for the main room)


def media_config(settings: Settings) -> MediaConfig:
    """The SFU's configuration from the node's settings (one place reads them)."""
    if not settings.ice_address:
        log.warning("NEWSSEM_ICE_ADDRESS is unset: media is reachable from this machine only")
    port_range = None
    if settings.ice_port_min is not None and settings.ice_port_max is not None:
        port_range = (settings.ice_port_min, settings.ice_port_max)
    return MediaConfig(
        announced_ip=settings.ice_address or "127.0.0.1",
        port_range=port_range,
        turn_url=settings.turn_url,
        turn_secret=settings.turn_secret,
        turn_ttl_seconds=settings.turn_ttl_seconds,
    )


@contextmanager
def media_errors() -> Iterator[None]:
    """The one place media failures become protocol errors (and so failing acks)."""
    try:
        yield
    except DomainError:
        raise
    except RouterClosed:
        raise Conflict("this class's media has closed") from None
    except PeerNotFound:
        raise Conflict("subscribe before answering") from None
    except ProducerNotFound as error:
        raise NotFound("no such producer", producer_id=str(error)) from None
    except UnsupportedSource as error:
        raise InvalidInput(f"unsupported media source: {error}") from None
    except NegotiationPending:
        raise Conflict("answer the previous offer first") from None
    except MediaError as error:
        raise Conflict(f"media error: {error}") from None
    except (InvalidStateError, InvalidAccessError, ValueError) as error:
        # aiortc refusing a description: a malformed or out-of-order SDP from the client.
        raise InvalidInput(f"the session description was refused: {error}"[:300]) from None


@dataclass
class MediaPeer:
    """One browser tab's media in a session."""

    sid: str
    user_id: int
    display_name: str
    student: bool  # may not moderate: the class's rules for students apply
    subscribed: bool = False  # asked for the others' media; gets server offers
    offer_out: bool = False  # a server offer awaits this peer's answer
    renegotiate: bool = False  # producers changed while an offer was out


@dataclass
class SessionMedia:
    """The SFU side of one live session on this node: its router's peers and their holds."""

    session_id: int
    group_id: int | None = None
    peers: dict[str, MediaPeer] = field(default_factory=dict)
    self_paused: set[str] = field(default_factory=set)  # producer ids turned off by their owner
    closed: list[ProducerInfo] = field(default_factory=list)  # closed, not yet announced
    owners: dict[str, MediaPeer] = field(default_factory=dict)  # producer id -> peer

    @property
    def key(self) -> RoomKey:
        return (self.session_id, self.group_id)


class MediaSignaling:
    """Media events of namespace ``/class``; ``ClassNamespace`` delegates to it."""

    def __init__(self, service: MediaService, namespace: ClassNamespace) -> None:
        self.service = service
        self.namespace = namespace
        self.sessions: dict[RoomKey, SessionMedia] = {}
        self.rules = ClassMediaRules(namespace)
        self.placement: dict[str, RoomKey] = {}  # socket id -> its breakout room, if any

    # -- plumbing -------------------------------------------------------------------------

    def router_key(self, room: RoomKey) -> str:
        session_id, group_id = room
        return str(session_id) if group_id is None else f"{session_id}:group:{group_id}"

    def room_of(self, connection: Connection) -> RoomKey:
        """The media room a joined tab is in: its breakout group's, else the session's."""
        session_id = self.namespace.joined(connection)
        placed = self.placement.get(connection.sid)
        return placed if placed is not None and placed[0] == session_id else (session_id, None)

    def session_media(self, room: RoomKey) -> SessionMedia:
        """This room's media, creating its Router on first use."""
        media = self.sessions.get(room)
        router = self.service.get_router(self.router_key(room))
        if media is None or router is None or router.closed:
            media = self.sessions[room] = SessionMedia(*room)
            router = self.service.router_for(self.router_key(room))
            router.on("producerclose", lambda producer: media.closed.append(producer.info()))
        return media

    def router(self, room: RoomKey) -> Any:
        return self.service.router_for(self.router_key(room))

    def peer(self, connection: Connection, room: RoomKey) -> tuple[SessionMedia, MediaPeer]:
        media = self.session_media(room)
        peer = media.peers.get(connection.sid)
        if peer is None:
            peer = media.peers[connection.sid] = MediaPeer(
                connection.sid,
                connection.user_id,
                connection.display_name,
                student=not connection.may_moderate,
            )
        return media, peer

    def holds(self, media: SessionMedia, info: ProducerInfo, rules: MediaRules) -> list[str]:
        """Why a producer must be paused now; empty means it should flow."""
        owner = media.owners.get(info.id)
        if owner is None:
            return []
        reasons = []
        if info.id in media.self_paused:
            reasons.append("self")
        if rules.is_muted(owner.user_id, info.source):
            reasons.append("moderator")
        if not rules.allows(owner.student, info.source):
            reasons.append("policy")
        return reasons

    def producer_dict(
        self, media: SessionMedia, info: ProducerInfo, rules: MediaRules
    ) -> dict[str, Any]:
        owner = media.owners.get(info.id)
        return {
            "id": info.id,
            "user_id": owner.user_id if owner else None,
            "display_name": owner.display_name if owner else "",
            "kind": info.kind,
            "source": info.source,
            "paused": info.paused,
            "holds": self.holds(media, info, rules),
        }

    def producer_infos(self, room: RoomKey) -> list[ProducerInfo]:
        router = self.service.get_router(self.router_key(room))
        return router.producers() if router is not None and not router.closed else []

    async def broadcast(self, session_id: int, event: str, data: dict[str, Any]) -> None:
        await self.namespace.emit(event, data, room=session_room(session_id))

    async def room_broadcast(self, media: SessionMedia, event: str, data: dict[str, Any]) -> None:
        """A producer event to the tabs of its media room only (not into other groups)."""
        if media.group_id is not None:
            room = group_room(media.session_id, media.group_id)
            await self.namespace.emit(event, data, room=room)
            return
        away = [sid for sid, key in self.placement.items() if key[0] == media.session_id]
        await self.namespace.emit(
            event, data, room=session_room(media.session_id), skip_sid=away or None
        )

    async def apply_holds(self, media: SessionMedia) -> list[dict[str, Any]]:
        """Pause or resume every producer whose holds changed; announce each change."""
        rules = await self.rules.current(media.session_id)
        router = self.router(media.key)
        changed = []
        for info in router.producers():
            reasons = self.holds(media, info, rules)
            if bool(reasons) == info.paused:
                continue
            with media_errors():
                if reasons:
                    router.pause_producer(info.id)
                else:
                    router.resume_producer(info.id)
            owner = media.owners.get(info.id)
            event = {
                "producer_id": info.id,
                "user_id": owner.user_id if owner else None,
                "source": info.source,
                "holds": reasons,
            }
            name = "media:producer_paused" if reasons else "media:producer_resumed"
            await self.room_broadcast(media, name, event)
            changed.append(event)
        return changed

    async def announce_closed(self, media: SessionMedia) -> None:
        """Tell the room about producers that closed during the last operation."""
        while media.closed:
            info = media.closed.pop(0)
            owner = media.owners.pop(info.id, None)
            media.self_paused.discard(info.id)
            await self.room_broadcast(
                media,
                "media:producer_removed",
                {
                    "producer_id": info.id,
                    "user_id": owner.user_id if owner else None,
                    "source": info.source,
                },
            )

    # -- renegotiation --------------------------------------------------------------------

    def offered_mids(self, media: SessionMedia, peer: MediaPeer, offer: dict) -> dict[str, str]:
        """mid → producer id for the m-sections of a server offer that carry a consumer.

        aiortc writes each sender's track id into ``a=msid``; a consumer is that track.
        """
        by_track = {c.id: c.producer_id for c in self.router(media.key).consumers(peer.sid)}
        mids: dict[str, str] = {}
        for section in aiortc_sdp.SessionDescription.parse(offer["sdp"]).media:
            if section.msid and " " in section.msid and section.rtp.muxId:
                producer_id = by_track.get(section.msid.split()[1])
                if producer_id is not None:
                    mids[section.rtp.muxId] = producer_id
        return mids

    async def make_offer(self, media: SessionMedia, peer: MediaPeer) -> dict[str, Any] | None:
        """A new recv-transport offer for ``peer``, or None (flagged) while one is out."""
        if peer.offer_out:
            peer.renegotiate = True
            return None
        try:
            with media_errors():
                offer = await self.router(media.key).subscribe(peer.sid)
        except Conflict:
            # NegotiationPending raced us, or the router closed: retried after the answer.
            peer.renegotiate = True
            return None
        peer.offer_out = True
        peer.renegotiate = False
        return {"offer": offer, "mids": self.offered_mids(media, peer, offer)}

    async def push_offer(self, media: SessionMedia, peer: MediaPeer) -> None:
        if peer.sid not in media.peers or not peer.subscribed:
            return
        message = await self.make_offer(media, peer)
        if message is not None:
            await self.namespace.emit("media:offer", message, to=peer.sid)

    async def renegotiate_others(self, media: SessionMedia, publisher: MediaPeer) -> None:
        for peer in list(media.peers.values()):
            if peer.sid != publisher.sid and peer.subscribed:
                try:
                    await self.push_offer(media, peer)
                except Exception:
                    log.exception("could not offer new media to socket %s", peer.sid)

    # -- events ---------------------------------------------------------------------------

    async def on_config(self, connection: Connection, payload: p.MediaConfigPayload) -> Ack:
        """What a browser needs before it opens its peer connections."""
        room = self.room_of(connection)
        rules = await self.rules.current(room[0])
        media = self.sessions.get(room)
        producers = (
            [self.producer_dict(media, info, rules) for info in self.producer_infos(room)]
            if media is not None
            else []
        )
        return {
            "ice_servers": self.service.ice_servers(str(connection.user_id)),
            "policy": rules.policy(),
            "producers": producers,
        }

    async def on_publish(self, connection: Connection, payload: p.MediaPublishPayload) -> Ack:
        """Apply the browser's (re-)offer; new producers are announced and offered to others.

        The class's rules are read from the database first: a student held by a teacher on a
        node that has since restarted is held here too, and a forbidden camera is refused.
        """
        room = self.room_of(connection)
        if payload.offer.type != "offer":
            raise InvalidInput("publish takes an offer")
        rules = await self.rules.read(room[0])
        media, peer = self.peer(connection, room)
        router = self.router(room)
        current = {router.producer(i.id).mid for i in router.producers() if i.peer_id == peer.sid}
        for mid, source in payload.sources.items():
            if mid not in current and not rules.allows(peer.student, source):
                what = "cameras" if source == "camera" else "screen sharing"
                raise Forbidden(f"the teacher has not allowed student {what}", source=source)
        with media_errors():
            answer, producers = await router.publish(
                peer.sid, payload.offer.model_dump(), dict(payload.sources)
            )
        for producer in producers:
            media.owners[producer.id] = peer
        await self.announce_closed(media)
        await self.apply_holds(media)
        added = [self.producer_dict(media, producer.info(), rules) for producer in producers]
        for producer in added:
            await self.room_broadcast(media, "media:producer_added", {"producer": producer})
        if producers:
            await self.renegotiate_others(media, peer)
        return {"answer": answer, "producers": added}

    async def on_subscribe(self, connection: Connection, payload: p.MediaSubscribePayload) -> Ack:
        """Start receiving; ``offer`` is null while nobody else publishes (one comes later)."""
        room = self.room_of(connection)
        media, peer = self.peer(connection, room)
        peer.subscribed = True
        others = [i for i in self.router(room).producers() if i.peer_id != peer.sid]
        if not others and not self.router(room).consumers(peer.sid):
            return {"offer": None, "mids": {}}
        message = await self.make_offer(media, peer)
        return message or {"offer": None, "mids": {}}

    async def on_answer(self, connection: Connection, payload: p.MediaAnswerPayload) -> Ack:
        """The browser answered our offer; send the one that had to wait, if any."""
        room = self.room_of(connection)
        if payload.answer.type != "answer":
            raise InvalidInput("this event takes an answer")
        media, peer = self.peer(connection, room)
        if not peer.offer_out:
            raise Conflict("no offer is waiting for an answer")
        with media_errors():
            await self.router(room).set_subscriber_answer(
                peer.sid, payload.answer.model_dump()
            )
        peer.offer_out = False
        if peer.renegotiate:
            await self.push_offer(media, peer)
        return {}

    def own_producer(self, connection: Connection, room: RoomKey, producer_id: str) -> Any:
        media = self.sessions.get(room)
        owner = media.owners.get(producer_id) if media is not None else None
        if media is None or owner is None or owner.sid != connection.sid:
            raise NotFound("no such producer of yours", producer_id=producer_id)
        return media

    async def on_close_producer(
        self, connection: Connection, payload: p.MediaProducerPayload
    ) -> Ack:
        """Stop one of one's own tracks for good (screen share ended)."""
        room = self.room_of(connection)
        media = self.own_producer(connection, room, payload.producer_id)
        with media_errors():
            self.router(room).close_producer(payload.producer_id)
        await self.announce_closed(media)
        return {}

    async def on_pause_producer(
        self, connection: Connection, payload: p.MediaProducerPayload
    ) -> Ack:
        """Turn one's own microphone or camera off, keeping the m-section for turning it on."""
        room = self.room_of(connection)
        media = self.own_producer(connection, room, payload.producer_id)
        media.self_paused.add(payload.producer_id)
        await self.apply_holds(media)
        return {"holds": await self.current_holds(media, payload.producer_id)}

    async def on_resume_producer(
        self, connection: Connection, payload: p.MediaProducerPayload
    ) -> Ack:
        """Turn it on again, unless a teacher or the class rules still hold it."""
        room = self.room_of(connection)
        media = self.own_producer(connection, room, payload.producer_id)
        media.self_paused.discard(payload.producer_id)
        await self.apply_holds(media)
        holds = await self.current_holds(media, payload.producer_id)
        if holds:
            raise Forbidden("the teacher has turned this off", holds=holds)
        return {"holds": holds}

    async def current_holds(self, media: SessionMedia, producer_id: str) -> list[str]:
        rules = await self.rules.current(media.session_id)
        for info in self.producer_infos(media.key):
            if info.id == producer_id:
                return self.holds(media, info, rules)
        return []

    async def moderate(self, session_id: int) -> list[dict[str, Any]]:
        """Re-apply holds in every media room of the session (main room and groups)."""
        changed: list[dict[str, Any]] = []
        for media in [m for m in self.sessions.values() if m.session_id == session_id]:
            changed += await self.apply_holds(media)
        return changed

    async def on_mute(self, connection: Connection, payload: p.MutePayload) -> Ack:
        """A teacher mutes one person's source (every tab, and whatever they publish later)."""
        return await self.set_mute(connection, payload, held=True)

    async def on_unmute(self, connection: Connection, payload: p.MutePayload) -> Ack:
        """Lift a teacher's mute; a source its owner turned off stays off."""
        return await self.set_mute(connection, payload, held=False)

    async def set_mute(self, connection: Connection, payload: p.MutePayload, held: bool) -> Ack:
        """Store the hold (or its lifting) with its log row, then apply it to producers."""
        session_id, _ = await self.rules.change(
            connection,
            lambda db, actor, session_id: media_holds.set_mute(
                db, actor, session_id, payload.user_id, payload.source, held
            ),
        )
        return {"changed": await self.moderate(session_id)}

    async def hold_many(
        self, connection: Connection, user_ids: Iterable[int] | None, source: str
    ) -> list[dict[str, Any]]:
        """Put a teacher's hold on one source of many people at once: "mute all".

        ``user_ids`` None lifts every teacher's hold on that source. Each person's own mute
        stays, as with ``on_unmute``.
        """
        session_id, _ = await self.rules.change(
            connection,
            lambda db, actor, session_id: media_holds.set_mute_all(
                db, actor, session_id, user_ids, source
            ),
        )
        return await self.moderate(session_id)

    async def on_cameras(self, connection: Connection, payload: p.AllowPayload) -> Ack:
        """Allow or forbid student cameras; forbidding pauses the ones already on."""
        return await self.set_policy(connection, "camera", payload.allowed)

    async def on_screens(self, connection: Connection, payload: p.AllowPayload) -> Ack:
        """Allow or forbid screen sharing by students (teachers only by default)."""
        return await self.set_policy(connection, "screen", payload.allowed)

    async def set_policy(self, connection: Connection, source: str, allowed: bool) -> Ack:
        """Store the class's rule with its log row, tell the class, then apply it."""
        session_id, rules = await self.rules.change(
            connection,
            lambda db, actor, session_id: media_holds.allow(db, actor, session_id, source, allowed),
        )
        await self.broadcast(session_id, "media:policy", {"policy": rules.policy()})
        return {"policy": rules.policy(), "changed": await self.moderate(session_id)}

    # -- lifecycle ------------------------------------------------------------------------

    async def peer_left(self, session_id: int, sid: str) -> None:
        """A tab left or dropped: close its media now (a reconnecting tab publishes anew)."""
        placed = self.placement.pop(sid, None)
        await self.close_peer(placed if placed is not None else (session_id, None), sid)

    async def close_peer(self, room: RoomKey, sid: str) -> bool:
        """Close one tab's media in one room; the room's router goes with its last peer."""
        media = self.sessions.get(room)
        if media is None or media.peers.pop(sid, None) is None:
            return False
        router = self.service.get_router(self.router_key(room))
        if router is not None and not router.closed:
            await router.close_peer(sid)
        await self.announce_closed(media)
        if not media.peers:
            # The last peer left: free the router. The rules stay stored until the class ends;
            # once no room of the class is left here, they are read again when it comes back.
            self.sessions.pop(room, None)
            await self.service.close_router(self.router_key(room))
            if not any(key[0] == room[0] for key in self.sessions):
                self.rules.forget(room[0])
        return True

    async def move_peer(self, sid: str, session_id: int, group_id: int | None) -> bool:
        """Put a tab in a breakout group's media room (None: the main room).

        Its media in the old room closes now (the others see its producers removed); the
        client then calls ``media:config``, ``media:subscribe`` and ``media:publish`` again,
        which land in the new room. Returns whether the tab changed rooms.
        """
        old = self.placement.get(sid, (session_id, None))
        new: RoomKey = (session_id, group_id)
        if old == new:
            return False
        if group_id is None:
            self.placement.pop(sid, None)
        else:
            self.placement[sid] = new
        await self.close_peer(old, sid)
        return True

    async def session_ended(self, session_id: int) -> None:
        for sid in [sid for sid, key in self.placement.items() if key[0] == session_id]:
            del self.placement[sid]
        for room in [key for key in self.sessions if key[0] == session_id]:
            self.sessions.pop(room, None)
            await self.service.close_router(self.router_key(room))
        await self.service.close_router(self.router_key((session_id, None)))
        await self.rules.session_ended(session_id)

    async def close(self) -> None:
        """Node shutdown: every router on this node closes (transports, tasks, sockets).

        The classes' rules stay stored for the node that takes the classes over."""
        self.sessions.clear()
        self.placement.clear()
        await self.service.close()


def setup_media(app: web.Application, namespace: ClassNamespace) -> MediaSignaling:
    """One MediaService per node, closed after the live layer has drained on shutdown."""
    service = MediaService(media_config(app[keys.SETTINGS]))
    signaling = MediaSignaling(service, namespace)
    app[MEDIA] = service

    async def on_shutdown(app: web.Application) -> None:
        await signaling.close()

    app.on_shutdown.append(on_shutdown)
    return signaling
