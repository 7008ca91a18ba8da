'use strict'
// The WebSocket peer of send_ws_test.py: a bridge from WebSocket to a plain MQTT broker, plus
// paths that misbehave on purpose. Listens on 127.0.0.1 only.
//
//   node ws_peer.js --modules DIR --port PORT --broker HOST:PORT [--tls-port PORT --key FILE --cert FILE]
//
// DIR holds the npm package `ws` (tools/node/node_modules, installed by tools/setup.sh).
// Paths:
//   /mqtt        subprotocol mqtt; every binary message goes to the broker as it came, every chunk
//                of the broker's TCP stream comes back as one binary message; a ping carrying
//                "craft-ping" is sent on connection, and "pong craft-ping" printed when answered
//   /noproto     the same bridge, but the 101 selects no subprotocol
//   /refuse      the upgrade answered with 403 Forbidden
//   /bad-accept  a 101 whose Sec-WebSocket-Accept does not match the key
//   /text        upgraded, then a text frame
//   /close       upgraded; the first message is answered with a close 4000 "craft close"
// Prints "listening" when ready; SIGTERM exits.
const http = require('http')
const https = require('https')
const fs = require('fs')
const path = require('path')

function args () {
  const a = {}
  const v = process.argv.slice(2)
  for (let i = 0; i + 1 < v.length; i += 2) a[v[i].replace(/^--/, '')] = v[i + 1]
  return a
}

const opts = args()
const { WebSocketServer } = require(path.join(opts.modules, 'ws'))
// the bridge and the subprotocol choice of tools/node (beside DIR)
const { bridgeToTcp, mqttOnly } = require(path.join(opts.modules, '..', 'ws_mqtt'))
const [brokerHost, brokerPort] = opts.broker.split(':')

function bridge (ws, label) {
  bridgeToTcp(ws, brokerHost, brokerPort)
  ws.on('pong', (data) => console.log(`pong ${data.toString()} ${label}`))
  ws.ping('craft-ping')
}

const servers = {
  '/mqtt': new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: mqttOnly }),
  '/noproto': new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: () => false }),
  '/text': new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: mqttOnly }),
  '/close': new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: mqttOnly })
}
servers['/mqtt'].on('connection', (ws) => bridge(ws, '/mqtt'))
servers['/noproto'].on('connection', (ws) => bridge(ws, '/noproto'))
servers['/text'].on('connection', (ws) => ws.send('not mqtt', { binary: false }))
servers['/close'].on('connection', (ws) => ws.once('message', () => ws.close(4000, 'craft close')))

function upgrade (req, socket, head) {
  const url = req.url.split('?')[0]
  console.log(`upgrade ${url}`)
  if (url === '/refuse') {
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
    return
  }
  if (url === '/bad-accept') {
    socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
               'Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n')
    return
  }
  const wss = servers[url]
  if (!wss) {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
    return
  }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
}

const listening = []
function serve (server, port, scheme) {
  server.on('upgrade', upgrade)
  listening.push(new Promise((resolve) => server.listen(Number(port), '127.0.0.1', () => resolve(`${scheme}://127.0.0.1:${port}`))))
  return server
}

const plain = serve(http.createServer((req, res) => { res.writeHead(404); res.end() }), opts.port, 'ws')
let secure = null
if (opts['tls-port']) {
  secure = serve(https.createServer({ key: fs.readFileSync(opts.key), cert: fs.readFileSync(opts.cert) },
    (req, res) => { res.writeHead(404); res.end() }), opts['tls-port'], 'wss')
}
Promise.all(listening).then((urls) => console.log(`listening ${urls.join(' ')}`))

process.on('SIGTERM', () => {
  for (const wss of Object.values(servers)) for (const ws of wss.clients) ws.terminate()
  plain.close()
  if (secure) secure.close()
  setTimeout(() => process.exit(0), 200).unref()
})
