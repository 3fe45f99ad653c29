"""Router: the media side of one live session (one class meeting)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from pyee.asyncio import AsyncIOEventEmitter

from media.config import MediaConfig
from media.consumer import Consumer
from media.errors import PeerNotFound, ProducerNotFound, RouterClosed
from media.producer import Producer, ProducerInfo
from media.tap import check_aiortc_version, install_fast_ntp_clock
from media.transport import RecvTransport, SendTransport


class Router(AsyncIOEventEmitter):
    """Owns every participant's transports, producers and consumers of a session.

    ``close()`` is idempotent and cascades: router → transports → producers →
    consumers, so ending a class frees every socket, task and buffer.

    Events: ``newproducer`` (Producer), ``producerclose`` (Producer),
    ``producerpause`` (Producer), ``producerresume`` (Producer),
    ``negotiationneeded`` (peer_id): call :meth:`subscribe` for that peer and
    send it the offer; ``connectionstatechange`` (peer_id, direction, state),
    ``peerclose`` (peer_id), ``close``.
    """

    def __init__(self, session_id: str, config: MediaConfig) -> None:
        super().__init__()
        check_aiortc_version()
        install_fast_ntp_clock()
        self.id = uuid.uuid4().hex
        self.session_id = session_id
        self.config = config
        self.closed = False
        self._send: dict[str, SendTransport] = {}
        self._recv: dict[str, RecvTransport] = {}
        self._producers: dict[str, Producer] = {}

    def _check_open(self) -> None:
        if self.closed:
            raise RouterClosed(self.session_id)

    # -- publishing -------------------------------------------------------

    async def publish(
        self, peer_id: str, offer: dict, sources: dict[str, str]
    ) -> tuple[dict, list[Producer]]:
        """Apply a participant's (re-)offer on its send transport.

        ``sources`` maps each m-section mid to ``camera``, ``microphone`` or
        ``screen``. Returns the SDP answer and the producers created by it.
        """
        self._check_open()
        transport = self._send.get(peer_id)
        if transport is None:
            transport = self._send[peer_id] = SendTransport(peer_id, self.config)
            self._watch(transport)
        answer, producers = await transport.publish(offer, sources)
        for producer in producers:
            self._producers[producer.id] = producer
            producer.on("close", self._make_on_producer_close(producer))
            producer.on("pause", lambda p=producer: self.emit("producerpause", p))
            producer.on("resume", lambda p=producer: self.emit("producerresume", p))
        for producer in producers:
            self.emit("newproducer", producer)
        if producers:
            for other, recv in self._recv.items():
                if other != peer_id:
                    recv.needs_negotiation()
        return answer, producers

    def _watch(self, transport: SendTransport | RecvTransport) -> None:
        peer_id, direction = transport.peer_id, transport.direction
        transport.on(
            "connectionstatechange",
            lambda state: self.emit("connectionstatechange", peer_id, direction, state),
        )
        if isinstance(transport, RecvTransport):
            transport.on("negotiationneeded", lambda: self._negotiation_needed(peer_id))

    def _negotiation_needed(self, peer_id: str) -> None:
        # Not while the session is being torn down: there is nobody left to offer to.
        if not self.closed and peer_id in self._recv:
            self.emit("negotiationneeded", peer_id)

    def _make_on_producer_close(self, producer: Producer) -> Callable[[], None]:
        def on_close() -> None:
            self._producers.pop(producer.id, None)
            self.emit("producerclose", producer)

        return on_close

    # -- subscribing ------------------------------------------------------

    async def subscribe(self, peer_id: str) -> dict | None:
        """Server offer for the participant's recv transport: one m-section per
        current producer of the other participants (new ones since the last
        offer are added). The client answers with :meth:`set_subscriber_answer`.

        Returns ``None`` if there has been nothing to receive yet; the peer is
        then registered as a subscriber and gets ``negotiationneeded`` when the
        first producer appears. Raises :class:`NegotiationPending` while the
        previous offer is unanswered (``negotiationneeded`` follows the answer).
        """
        self._check_open()
        transport = self._recv.get(peer_id)
        if transport is None:
            transport = self._recv[peer_id] = RecvTransport(peer_id, self.config)
            self._watch(transport)
        others = [p for p in self._producers.values() if p.peer_id != peer_id]
        offer, _ = await transport.offer(others)
        return offer

    async def set_subscriber_answer(self, peer_id: str, answer: dict) -> None:
        self._check_open()
        transport = self._recv.get(peer_id)
        if transport is None:
            raise PeerNotFound(peer_id)
        await transport.set_answer(answer)

    def consumers(self, peer_id: str) -> list[Consumer]:
        """The participant's live consumers (what it currently receives)."""
        transport = self._recv.get(peer_id)
        return list(transport.consumers.values()) if transport else []

    # -- server policy ----------------------------------------------------

    def producer(self, producer_id: str) -> Producer:
        try:
            return self._producers[producer_id]
        except KeyError:
            raise ProducerNotFound(producer_id) from None

    def pause_producer(self, producer_id: str) -> None:
        self.producer(producer_id).pause()

    def resume_producer(self, producer_id: str) -> None:
        self.producer(producer_id).resume()

    def close_producer(self, producer_id: str) -> None:
        self.producer(producer_id).close()

    def producers(self) -> list[ProducerInfo]:
        return [p.info() for p in self._producers.values()]

    def peers(self) -> set[str]:
        return set(self._send) | set(self._recv)

    # -- teardown ---------------------------------------------------------

    async def close_peer(self, peer_id: str) -> None:
        """A participant left: close its transports, producers, consumers."""
        send = self._send.pop(peer_id, None)
        recv = self._recv.pop(peer_id, None)
        if send is None and recv is None:
            return
        if send is not None:
            await send.close()
        if recv is not None:
            await recv.close()
        self.emit("peerclose", peer_id)

    async def close(self) -> None:
        """Close everything in this session. Idempotent."""
        if self.closed:
            return
        self.closed = True
        for peer_id in list(self.peers()):
            await self.close_peer(peer_id)
        self.emit("close")
        self.remove_all_listeners()
