"""Host ICE candidates on a configured address.

aioice gathers host candidates from the machine's interfaces and leaves out
127.0.0.1; a media node instead has one address browsers can reach (its
announced address, possibly a NAT's public one) and maybe a firewall-opened
UDP port range. So the SFU replaces gathering on each of its ICE connections:
one UDP socket bound on the listen address, one host candidate carrying the
announced address. Test and load-test peers use the same helper to talk over
loopback.
"""

from __future__ import annotations

import asyncio
import random
import socket

import aioice
from aioice import Candidate
from aioice.candidate import candidate_foundation, candidate_priority
from aioice.ice import Connection, StunProtocol
from aiortc import RTCPeerConnection

from media.errors import UnsupportedAiortcVersion

_MARK = "_newssem_bound"

SUPPORTED_AIOICE = ((0, 9), (0, 14))
"""Half-open range of aioice versions whose ``Connection`` internals this uses."""

_CONNECTION_INTERNALS = (
    "_local_candidates",
    "_local_candidates_start",
    "_local_candidates_end",
    "_protocols",
    "gather_candidates",
)


def check_aioice(connection: Connection | None = None) -> None:
    """Fail loudly if aioice (aiortc's ICE stack) is outside the range this
    module was written for, or its ``Connection`` lost a name used here."""
    parts = tuple(int(p) for p in aioice.__version__.split(".")[:2] if p.isdigit())
    low, high = SUPPORTED_AIOICE
    if not (low <= parts < high):
        raise UnsupportedAiortcVersion(
            f"media.ice supports aioice >={low[0]}.{low[1]},<{high[0]}.{high[1]}; "
            f"found {aioice.__version__}"
        )
    if connection is not None:
        missing = [n for n in _CONNECTION_INTERNALS if not hasattr(connection, n)]
        if missing:
            raise UnsupportedAiortcVersion(f"aioice internals changed, missing: {missing}")


def bind_host_candidates(
    pc: RTCPeerConnection,
    listen_ip: str,
    announced_ip: str | None = None,
    port_range: tuple[int, int] | None = None,
) -> None:
    """Make every not-yet-gathered ICE connection of ``pc`` gather exactly one
    host candidate on ``listen_ip`` (announced as ``announced_ip``).

    Call after transceivers exist (``addTransceiver`` or ``setRemoteDescription``)
    and before ``setLocalDescription``; calling it again is harmless.
    """
    for transceiver in pc.getTransceivers():
        connection = transceiver.receiver.transport.transport.iceGatherer._connection
        check_aioice(connection)
        if getattr(connection, _MARK, False) or connection._local_candidates_start:
            continue
        setattr(connection, _MARK, True)

        async def gather(conn: Connection = connection) -> None:
            await _gather(conn, listen_ip, announced_ip or listen_ip, port_range)

        connection.gather_candidates = gather  # type: ignore[method-assign]


async def _bind(
    conn: Connection, listen_ip: str, port_range: tuple[int, int] | None
) -> StunProtocol:
    loop = asyncio.get_running_loop()
    if port_range is None:
        ports = [0]
    else:
        low, high = port_range
        ports = list(range(low, high + 1))
        start = random.randrange(len(ports))
        ports = ports[start:] + ports[:start]
    last_error: OSError | None = None
    for port in ports:
        try:
            _, protocol = await loop.create_datagram_endpoint(
                lambda: StunProtocol(conn), local_addr=(listen_ip, port)
            )
        except OSError as error:
            last_error = error
            continue
        sock = protocol.transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024 * 1024)
        return protocol
    raise OSError(f"no free UDP port on {listen_ip} in {port_range}") from last_error


async def _gather(
    conn: Connection,
    listen_ip: str,
    announced_ip: str,
    port_range: tuple[int, int] | None,
) -> None:
    if conn._local_candidates_start:
        return
    conn._local_candidates_start = True
    protocol = await _bind(conn, listen_ip, port_range)
    port = protocol.transport.get_extra_info("sockname")[1]
    protocol.local_candidate = Candidate(
        foundation=candidate_foundation("host", "udp", announced_ip),
        component=1,
        transport="udp",
        priority=candidate_priority(1, "host"),
        host=announced_ip,
        port=port,
        type="host",
    )
    conn._protocols.append(protocol)
    conn._local_candidates.append(protocol.local_candidate)
    conn._local_candidates_end = True
