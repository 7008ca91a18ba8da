'use strict'
// A WebSocket-to-TCP bridge in front of a plain MQTT broker, for tools/captures/ws_captures.sh.
//
//   node tools/node/ws_bridge.js --port PORT --to HOST:PORT
//
// Accepts WebSocket connections at ws://127.0.0.1:PORT/mqtt (subprotocol "mqtt", no
// compression) and opens one TCP connection to the broker for each: every binary message goes
// to the broker as it came, every chunk the broker's TCP stream delivers goes back as one binary
// message, so MQTT packets are cut wherever the broker's writes and TCP cut them. A close on one
// side closes the other. Prints one "listening" line when ready; SIGTERM or SIGINT exits.
const { parse, usage } = require('./args')
const { mqttWebSocketServer, bridgeToTcp } = require('./ws_mqtt')

const USAGE = `
usage: node ws_bridge.js --port PORT --to HOST:PORT
`

function main () {
  const args = parse(process.argv.slice(2))
  const port = Number(args.port)
  const to = /^(.+):(\d+)$/.exec(args.to || '')
  if (!Number.isInteger(port) || port <= 0 || !to || args._.length) usage(USAGE)

  const { server, wss } = mqttWebSocketServer()
  wss.on('connection', (ws) => bridgeToTcp(ws, to[1], to[2]))
  server.listen(port, '127.0.0.1', () => {
    console.log(`listening ws://127.0.0.1:${port}/mqtt -> tcp ${args.to}`)
  })

  const stop = () => {
    setTimeout(() => process.exit(0), 2000).unref()
    for (const client of wss.clients) client.terminate()
    wss.close()
    server.close(() => process.exit(0))
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

main()
