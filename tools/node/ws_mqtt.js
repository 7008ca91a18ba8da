'use strict'
// What the WebSocket peers share (tools/node/ws_bridge.js, aedes_ws.js, tests/craft/ws_peer.js):
// an HTTP server answering 404 to plain requests with a WebSocket server on /mqtt that selects
// the "mqtt" subprotocol, and the bridge from one WebSocket connection to a plain MQTT broker.
const http = require('http')
const net = require('net')
const { WebSocketServer } = require('ws')

// The "mqtt" subprotocol when the client offers it, else none (handleProtocols).
const mqttOnly = (protocols) => (protocols.has('mqtt') ? 'mqtt' : false)

// An HTTP server (not listening yet) whose upgrades on /mqtt go to the returned WebSocket server;
// `deflate`: permessage-deflate offered (every message of 16 bytes or more compressed).
function mqttWebSocketServer (deflate = false) {
  const server = http.createServer((req, res) => {
    res.writeHead(404)
    res.end()
  })
  const wss = new WebSocketServer({
    server,
    path: '/mqtt',
    perMessageDeflate: deflate ? { threshold: 16 } : false,
    handleProtocols: mqttOnly
  })
  return { server, wss }
}

// Bridges `ws` to a new TCP connection to host:port: every binary message goes to the broker as it
// came, every chunk of the broker's TCP stream comes back as one binary message; a close or an
// error on one side ends the other. Returns the TCP socket.
function bridgeToTcp (ws, host, port) {
  const tcp = net.connect(Number(port), host)
  tcp.setNoDelay(true)
  ws.on('message', (data) => tcp.write(data))
  tcp.on('data', (chunk) => ws.send(chunk, { binary: true }))
  ws.on('close', () => tcp.end())
  tcp.on('close', () => ws.close(1000))
  ws.on('error', () => tcp.destroy())
  tcp.on('error', () => ws.terminate())
  return tcp
}

module.exports = { mqttOnly, mqttWebSocketServer, bridgeToTcp }
