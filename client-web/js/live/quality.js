// Connection quality from standard getStats() reports, shown as good / fair / poor.
//
// Round-trip time comes from the nominated ICE candidate pair, loss from what the SFU reports
// about our sending (remote-inbound-rtp) and from what we receive (inbound-rtp, as a share of
// packets since the last sample), and frame rate from our own outgoing video. Only fields that
// Chromium and Firefox both fill are used.

const POOR = { rtt: 0.4, loss: 0.08, fps: 8 };
const FAIR = { rtt: 0.15, loss: 0.02, fps: 18 };

export function rate({ rtt, loss, fps }) {
  if (rtt == null && loss == null && fps == null) return 'unknown';
  if (rtt > POOR.rtt || loss > POOR.loss || (fps != null && fps < POOR.fps)) return 'poor';
  if (rtt > FAIR.rtt || loss > FAIR.loss || (fps != null && fps < FAIR.fps)) return 'fair';
  return 'good';
}

/** Samples both peer connections; `sample()` returns {rtt, loss, fps, quality}. */
export function createQualityMeter(getConnections) {
  let previous = { received: 0, lost: 0 };

  async function sample() {
    const reading = { rtt: null, loss: null, fps: null };
    let received = 0;
    let lost = 0;
    let sentLoss = null;
    for (const pc of getConnections()) {
      if (!pc || pc.connectionState === 'closed') continue;
      const report = await pc.getStats();
      report.forEach((stat) => {
        if (stat.type === 'candidate-pair' && stat.nominated && stat.state === 'succeeded'
            && typeof stat.currentRoundTripTime === 'number') {
          reading.rtt = Math.max(reading.rtt ?? 0, stat.currentRoundTripTime);
        } else if (stat.type === 'remote-inbound-rtp' && typeof stat.fractionLost === 'number') {
          sentLoss = Math.max(sentLoss ?? 0, stat.fractionLost);
        } else if (stat.type === 'inbound-rtp') {
          received += stat.packetsReceived || 0;
          lost += Math.max(0, stat.packetsLost || 0);
        } else if (stat.type === 'outbound-rtp' && stat.kind === 'video'
                   && typeof stat.framesPerSecond === 'number') {
          reading.fps = Math.min(reading.fps ?? Infinity, stat.framesPerSecond);
        }
      });
    }
    const newReceived = received - previous.received;
    const newLost = lost - previous.lost;
    previous = { received, lost };
    const recvLoss = newReceived + newLost > 0 ? newLost / (newReceived + newLost) : null;
    if (recvLoss != null || sentLoss != null) reading.loss = Math.max(recvLoss ?? 0, sentLoss ?? 0);
    return { ...reading, quality: rate(reading) };
  }

  return { sample };
}
